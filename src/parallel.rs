//! Thread pools for batch work.
//!
//! Every batch function runs inside [`install`], which picks a rayon pool sized by the
//! user's `n_jobs`. Pools are cached per (process id, size): after `fork()` (multiprocessing,
//! Dask workers) the parent's worker threads do not exist in the child and a pool inherited
//! from the parent would hang forever, so a child process builds pools of its own.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::{ThreadPool, ThreadPoolBuilder};

use crate::error::{Error, Result};

type PoolCache = Mutex<HashMap<(u32, usize), Arc<ThreadPool>>>;

fn cache() -> &'static PoolCache {
    static POOLS: OnceLock<PoolCache> = OnceLock::new();
    POOLS.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Number of threads `n_jobs` asks for: `None` or `-1` means all cores, a negative `-k`
/// means all but `k - 1` cores (joblib's convention), `0` is an error.
pub fn resolve_n_jobs(n_jobs: Option<i64>) -> Result<usize> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as i64;
    let n = match n_jobs {
        None => cores,
        Some(0) => {
            return Err(Error::param(
                "n_jobs",
                "must be a positive number of threads or negative (-1 = all cores), not 0",
            ))
        }
        Some(k) if k > 0 => k,
        Some(k) => (cores + 1 + k).max(1),
    };
    Ok(n as usize)
}

/// Run `f` inside a rayon pool of the size `n_jobs` asks for; rayon's parallel iterators
/// called within `f` use that pool.
pub fn install<R, F>(n_jobs: Option<i64>, f: F) -> Result<R>
where
    R: Send,
    F: FnOnce() -> R + Send,
{
    let n = resolve_n_jobs(n_jobs)?;
    let key = (std::process::id(), n);
    let pool = {
        let mut pools = cache().lock().unwrap_or_else(|p| p.into_inner());
        // Pools built before a fork belong to another pid and are dropped lazily here.
        pools.retain(|(pid, _), _| *pid == key.0);
        match pools.get(&key) {
            Some(p) => Arc::clone(p),
            None => {
                let p = ThreadPoolBuilder::new()
                    .num_threads(n)
                    .thread_name(|i| format!("wirenlp-{i}"))
                    .build()
                    .map_err(|e| Error::param("n_jobs", format!("cannot start threads: {e}")))?;
                let p = Arc::new(p);
                pools.insert(key, Arc::clone(&p));
                p
            }
        }
    };
    Ok(pool.install(f))
}

/// A request to stop long work early, made from another thread (the Python binding makes it
/// on Ctrl-C). Long loops poll it between documents, skip the rest once it is set, and the
/// function returns [`Error::Interrupted`] instead of a result.
#[derive(Debug, Default)]
pub struct Interrupt(AtomicBool);

impl Interrupt {
    /// Ask the work to stop.
    pub fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether stopping was asked for.
    #[inline]
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// [`Error::Interrupted`] if stopping was asked for.
    pub fn check(&self) -> Result<()> {
        if self.is_set() {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rayon::prelude::*;

    #[test]
    fn interrupt_is_seen_across_threads() {
        let stop = Interrupt::default();
        assert!(stop.check().is_ok());
        std::thread::scope(|s| {
            s.spawn(|| stop.set());
        });
        assert!(stop.is_set());
        assert!(matches!(stop.check(), Err(Error::Interrupted)));
    }

    #[test]
    fn n_jobs_conventions() {
        assert!(resolve_n_jobs(Some(0)).is_err());
        assert_eq!(resolve_n_jobs(Some(3)).unwrap(), 3);
        assert!(resolve_n_jobs(Some(-1)).unwrap() >= 1);
        assert_eq!(resolve_n_jobs(Some(-1000)).unwrap(), 1);
    }

    #[test]
    fn install_uses_requested_pool_size() {
        let n = install(Some(3), rayon::current_num_threads).unwrap();
        assert_eq!(n, 3);
        let s: u64 = install(Some(2), || (0..1000u64).into_par_iter().sum()).unwrap();
        assert_eq!(s, 499_500);
    }
}
