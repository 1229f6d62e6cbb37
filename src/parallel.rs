//! Thread pools for batch work.
//!
//! Every batch function runs inside [`install`], which picks a rayon pool sized by the
//! user's `n_jobs`. Pools are cached per (process id, size): after `fork()` (multiprocessing,
//! Dask workers) the parent's worker threads do not exist in the child and a pool inherited
//! from the parent would hang forever, so a child process builds pools of its own.

use std::collections::HashMap;
use std::mem::MaybeUninit;
use std::ops::Range;
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

/// Split `0..lens.len()` into at most `pieces` contiguous ranges holding about the same total
/// of `lens` each (bytes of text: documents differ in length by orders of magnitude, so equal
/// counts of documents are not equal work). No range is empty; no input gives no range.
fn balanced_ranges(lens: &[usize], pieces: usize) -> Vec<Range<usize>> {
    let total: u128 = lens.iter().map(|&l| l as u128).sum();
    let pieces = pieces.clamp(1, lens.len().max(1));
    let mut out = Vec::with_capacity(pieces);
    let (mut start, mut sum) = (0, 0u128);
    for (i, &len) in lens.iter().enumerate() {
        let after = sum + len as u128;
        while out.len() + 1 < pieces {
            // Where the ranges closed so far should end, in total size.
            let target = (total * (out.len() as u128 + 1)).div_ceil(pieces as u128);
            if after < target {
                break;
            }
            // Cut before or after item `i`, whichever lands nearer the target.
            let cut = if i > start && target - sum < after - target {
                i
            } else {
                i + 1
            };
            out.push(start..cut);
            start = cut;
            if cut > i {
                break;
            }
        }
        sum = after;
    }
    if start < lens.len() {
        out.push(start..lens.len());
    }
    out
}

/// Items a thread claims from its range at a time in [`contiguous_parts`].
const CLAIM: usize = 4;

/// A range of items still to do, taken from the front by the thread working through it and
/// from the back by threads that have run out of work.
#[repr(align(128))] // one per cache line pair: threads claim from their own without contention
struct Shared(Mutex<Range<usize>>);

/// Process items `0..lens.len()` (`lens`: each item's size, e.g. bytes of text) on the current
/// rayon pool, in contiguous parts with one state each: `part(first, size)` makes the state of
/// a part that starts at item `first` and is about `size` long (in units of `lens`; the first
/// part starts at item 0), `step(&mut state, i)` processes item `i` into
/// it. Returns the states in order of their items, so that the parts' items are, in that
/// order, exactly `0..lens.len()`, each part's processed in increasing order.
///
/// Made for work whose parts must be merged serially afterwards (token tables): as few parts
/// as the load allows. Each thread starts with a range of about equal size and works through
/// it from the front; a thread that runs out takes the back half of the largest range left, if
/// that is worth a part of its own (at least 1/16 of a thread's share), so a thread that is
/// held up (a busy core, a late wake-up) is relieved without cutting the work into many parts
/// up front. With the threads evenly loaded there is one part per thread.
pub fn contiguous_parts<S: Send>(
    lens: &[usize],
    part: impl Fn(usize, usize) -> S + Sync,
    step: impl Fn(&mut S, usize) + Sync,
) -> Vec<S> {
    // `before[i]`: the total size of the items before `i`.
    let before: Vec<usize> = std::iter::once(0)
        .chain(lens.iter().scan(0usize, |sum, &l| {
            *sum = sum.saturating_add(l);
            Some(*sum)
        }))
        .collect();
    let size = |r: &Range<usize>| before[r.end] - before[r.start];
    let threads = rayon::current_num_threads();
    if threads <= 1 || lens.len() <= 1 {
        let mut state = part(0, size(&(0..lens.len())));
        (0..lens.len()).for_each(|i| step(&mut state, i));
        return vec![state];
    }
    let worth = (size(&(0..lens.len())) / (16 * threads)).max(1);
    let ranges: Mutex<Vec<Arc<Shared>>> = Mutex::new(
        balanced_ranges(lens, threads)
            .into_iter()
            .map(|r| Arc::new(Shared(Mutex::new(r))))
            .collect(),
    );
    let done: Mutex<Vec<(usize, S)>> = Mutex::new(Vec::new());
    // Work through `range` from the front as one part, until it is empty.
    let work = |range: &Shared| {
        let mut state: Option<(usize, S)> = None;
        loop {
            let claim = {
                let mut r = locked(&range.0);
                let claim = r.start..r.end.min(r.start + CLAIM);
                if state.is_none() {
                    state = (!claim.is_empty()).then(|| (claim.start, part(claim.start, size(&r))));
                }
                r.start = claim.end;
                claim
            };
            let Some((_, s)) = state.as_mut().filter(|_| !claim.is_empty()) else {
                break;
            };
            claim.for_each(|i| step(s, i));
        }
        if let Some(state) = state {
            locked(&done).push(state);
        }
    };
    let n_ranges = locked(&ranges).len();
    (0..n_ranges).into_par_iter().for_each(|own| {
        let mine = locked(&ranges).get(own).cloned();
        if let Some(mine) = mine {
            work(&mine);
        }
        // Out of work: take the back half of the largest range left while one is worth it.
        loop {
            let stolen = {
                let mut all = locked(&ranges);
                let victim = all
                    .iter()
                    .map(|r| (size(&locked(&r.0)), Arc::clone(r)))
                    .max_by_key(|(left, _)| *left);
                let Some((_, victim)) = victim else { break };
                let mut r = locked(&victim.0);
                if r.is_empty() {
                    break;
                }
                // The back half of the items left, by size.
                let half = before[r.start] + size(&r) / 2;
                let mid = before
                    .partition_point(|&b| b <= half)
                    .clamp(r.start + 1, r.end);
                if size(&(mid..r.end)) < worth {
                    break;
                }
                let back = Arc::new(Shared(Mutex::new(mid..r.end)));
                r.end = mid;
                drop(r);
                all.push(Arc::clone(&back));
                back
            };
            work(&stolen);
        }
    });
    let mut done = done.into_inner().unwrap_or_else(|p| p.into_inner());
    done.sort_unstable_by_key(|&(first, _)| first);
    done.into_iter().map(|(_, s)| s).collect()
}

/// `m` locked, whether or not a thread panicked while holding it.
fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
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

    /// The items of each part of `contiguous_parts`, in the order processed; checks that each
    /// part was made with its first item.
    fn parts_of(
        lens: &[usize],
        threads: usize,
        slow: impl Fn(usize) -> bool + Sync,
    ) -> Vec<Vec<usize>> {
        let parts = install(Some(threads as i64), || {
            contiguous_parts(
                lens,
                |first, _| (first, Vec::new()),
                |(_, items): &mut (usize, Vec<usize>), i| {
                    if slow(i) {
                        std::thread::sleep(std::time::Duration::from_micros(500));
                    }
                    items.push(i);
                },
            )
        })
        .unwrap();
        for (first, items) in &parts {
            let made_for_first = items.first().is_none_or(|i| i == first);
            assert!(
                made_for_first,
                "a part made for item {first} starts at {items:?}"
            );
        }
        parts.into_iter().map(|(_, items)| items).collect()
    }

    /// The parts are contiguous, in order, each processed front to back, and cover every item
    /// once.
    fn assert_covers(parts: &[Vec<usize>], n: usize) {
        let flat: Vec<usize> = parts.iter().flatten().copied().collect();
        assert_eq!(flat, (0..n).collect::<Vec<_>>(), "parts {parts:?}");
        assert!(parts.iter().all(|p| !p.is_empty()) || n == 0);
    }

    proptest::proptest! {
        #[test]
        fn balanced_ranges_cover_in_order(
            lens in proptest::collection::vec(0usize..5000, 0..60),
            pieces in 1usize..9,
        ) {
            let ranges = balanced_ranges(&lens, pieces);
            let pieces = pieces.clamp(1, lens.len().max(1));
            let total: usize = lens.iter().sum();
            let largest = lens.iter().copied().max().unwrap_or(0);
            let mut next = 0;
            for r in &ranges {
                proptest::prop_assert_eq!(r.start, next);
                proptest::prop_assert!(!r.is_empty());
                let size: usize = lens[r.clone()].iter().sum();
                proptest::prop_assert!(size <= total.div_ceil(pieces) + largest, "{ranges:?}");
                next = r.end;
            }
            proptest::prop_assert_eq!(next, lens.len());
            proptest::prop_assert!(ranges.len() <= pieces);
        }

        #[test]
        fn contiguous_parts_cover_in_order(
            lens in proptest::collection::vec(0usize..5000, 0..200),
            threads in 1usize..5,
        ) {
            let parts = parts_of(&lens, threads, |_| false);
            assert_covers(&parts, lens.len());
            proptest::prop_assert!(!parts.is_empty());
        }
    }

    #[test]
    fn contiguous_parts_relieve_a_thread_that_falls_behind() {
        // The first thread's range is slow (0.1 s): the other thread, done with its own in
        // microseconds, takes the back of it, in parts that still come out in order.
        let lens = vec![100; 400];
        let parts = parts_of(&lens, 2, |i| i < 200);
        assert_covers(&parts, lens.len());
        assert!(
            parts.len() > 2,
            "no range was shared: {:?}",
            parts.iter().map(Vec::len).collect::<Vec<_>>()
        );
        // On one thread: one part.
        let parts = parts_of(&lens, 1, |_| false);
        assert_eq!(parts.len(), 1);
        assert_covers(&parts, lens.len());
    }

    #[test]
    fn contiguous_parts_size_each_part() {
        // `part` is told the item it starts at and the size of what is left of its range.
        let lens = [10, 20, 30, 40];
        let parts = || contiguous_parts(&lens, |first, size| (first, size), |_, _| {});
        assert_eq!(install(Some(1), parts).unwrap(), [(0, 100)]);
    }

    #[test]
    fn install_uses_requested_pool_size() {
        let n = install(Some(3), rayon::current_num_threads).unwrap();
        assert_eq!(n, 3);
        let s: u64 = install(Some(2), || (0..1000u64).into_par_iter().sum()).unwrap();
        assert_eq!(s, 499_500);
    }
}
