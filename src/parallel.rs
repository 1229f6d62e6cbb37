//! Thread pools for batch work.
//!
//! Every batch function runs inside [`install`], which picks a rayon pool sized by the
//! user's `n_jobs`. Pools are cached per (process id, size): after `fork()` (multiprocessing,
//! Dask workers) the parent's worker threads do not exist in the child and a pool inherited
//! from the parent would hang forever, so a child process builds pools of its own.

use std::collections::HashMap;
use std::mem::MaybeUninit;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
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

/// Append to `out` the pieces of `pieces`, in order: piece `p`, `len(&p)` items long, is
/// written by `fill(p, sink)` through [`Sink::write_mapped`], the pieces in parallel on the
/// current rayon pool. A piece given by value is dropped as soon as it is written, so that
/// the inputs of a large output are freed while it fills.
///
/// The room is reserved but not zeroed first: zeroing a large output (a `vec![0; n]`, which
/// glibc serves from its heap once big blocks have been freed) costs a serial pass of
/// `memset` on the calling thread, and its page faults, while here each worker writes its own
/// piece once. Panics if a piece is not written whole (nothing half-written is exposed).
pub fn extend_par<T: Send, P: Send>(
    out: &mut Vec<T>,
    pieces: Vec<P>,
    len: impl Fn(&P) -> usize,
    fill: impl Fn(P, &mut Sink<'_, T>) + Sync,
) {
    let lens: Vec<usize> = pieces.iter().map(len).collect();
    let total: usize = lens.iter().sum();
    out.reserve(total);
    let start = out.len();
    let mut sinks = Vec::with_capacity(lens.len());
    let mut rest = out
        .spare_capacity_mut()
        .get_mut(..total)
        .unwrap_or_default();
    for &n in &lens {
        let (slots, tail) = rest.split_at_mut(n.min(rest.len()));
        sinks.push(Sink { slots, written: 0 });
        rest = tail;
    }
    let complete = pieces.into_par_iter().zip(sinks).all(|(piece, mut sink)| {
        fill(piece, &mut sink);
        sink.written == sink.slots.len()
    });
    assert!(complete, "extend_par: a piece was not written whole");
    // SAFETY: the `total` slots after `start` are within the capacity reserved above, each
    // belongs to exactly one sink (the lengths sum to `total`, so the sinks cover them all),
    // and every sink has written each of its slots: `written` counts the slots written from
    // the front, and was checked just above to equal the sink's length.
    unsafe { out.set_len(start + total) };
}

/// Append the vectors of `pieces` to `out`, in order, copied in parallel (each freed once
/// copied): [`extend_par`] for pieces that are already their final values.
pub fn concat_par<T: Copy + Send + Sync>(out: &mut Vec<T>, pieces: Vec<Vec<T>>) {
    extend_par(out, pieces, Vec::len, |v, sink| {
        sink.write_mapped(&v, |&x| x)
    });
}

/// The slots of one piece of [`extend_par`], written from the front.
pub struct Sink<'a, T> {
    slots: &'a mut [MaybeUninit<T>],
    written: usize,
}

impl<T> Sink<'_, T> {
    /// Write `f(x)` for each `x` of `items` into the next slots. Panics if they do not fit.
    #[inline]
    pub fn write_mapped<S>(&mut self, items: &[S], f: impl Fn(&S) -> T) {
        let end = self.written + items.len();
        let Some(slots) = self.slots.get_mut(self.written..end) else {
            panic!("extend_par: a piece is longer than its length");
        };
        for (slot, x) in slots.iter_mut().zip(items) {
            slot.write(f(x));
        }
        self.written = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn extend_par_appends_pieces_in_order() {
        let mut out = vec![7u32];
        let pieces: Vec<Vec<u32>> = vec![vec![1, 2, 3], vec![], vec![4], vec![5, 6]];
        install(Some(2), || {
            extend_par(&mut out, pieces, Vec::len, |piece, sink| {
                // Two writes per piece, to check they follow each other.
                let (a, b) = piece.split_at(piece.len() / 2);
                sink.write_mapped(a, |x| x * 10);
                sink.write_mapped(b, |x| x * 10);
            })
        })
        .unwrap();
        assert_eq!(out, [7, 10, 20, 30, 40, 50, 60]);
        extend_par(&mut out, Vec::<()>::new(), |_| 0, |_, _| {});
        assert_eq!(out.len(), 7);
        concat_par(&mut out, vec![vec![8], vec![], vec![9, 10]]);
        assert_eq!(out, [7, 10, 20, 30, 40, 50, 60, 8, 9, 10]);
    }

    #[test]
    fn extend_par_refuses_a_piece_of_the_wrong_length() {
        let mut out: Vec<u32> = Vec::new();
        let items = [1u32, 2, 3, 4];
        for len in [0, 1, 3] {
            let wrong = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                extend_par(
                    &mut out,
                    vec![2, len],
                    |_| 2,
                    |n, sink| sink.write_mapped(&items[..n], |&x| x),
                )
            }));
            assert!(wrong.is_err(), "a piece of {len} items instead of 2");
            // Nothing half-written is exposed.
            assert!(out.is_empty());
        }
    }

    #[test]
    fn install_uses_requested_pool_size() {
        let n = install(Some(3), rayon::current_num_threads).unwrap();
        assert_eq!(n, 3);
        let s: u64 = install(Some(2), || (0..1000u64).into_par_iter().sum()).unwrap();
        assert_eq!(s, 499_500);
    }
}
