//! The fork-join thread pool behind `parallel=True` / `prange`.
//!
//! Compiled code outlines a parallel loop's body into a [`ChunkFn`] and
//! calls [`oxjit_rt_parallel_for`], which splits `0..n` into chunks and
//! runs them on the calling thread (worker 0) and on persistent pool
//! threads (workers `1..k`). Each chunk gets its worker id, so a body can
//! keep per-thread state (reduction slots) indexed by it without races.
//!
//! Design points:
//! - One region at a time on the pool. A launch that finds the pool busy
//!   (another Python thread's loop), a launch from inside a running region
//!   (nested `prange`), a thread count of 1 and a forked child all run the
//!   whole range on the calling thread as a single chunk.
//! - Launch latency matters: a 10k-element loop takes ~20 µs. Workers
//!   stay awake (spinning, then yielding) for ~50 µs after a region before
//!   parking, so back-to-back loops find them running; the launcher only
//!   pays a futex wake for workers that did park.
//! - The thread count is `OXJIT_NUM_THREADS` or the number of CPUs, fixed
//!   for the process; [`set_num_threads`] lowers it per launching thread,
//!   as Numba's does.
//! - Errors: the first failing chunk's status wins and no new chunk starts.
//!   A dynamic exception is carried from the worker that raised it to the
//!   launching thread's pending slot. Nothing unwinds out of a worker.

use std::any::Any;
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicI32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock, TryLockError};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use crate::exceptions::{raise_dynamic, take_dynamic};
use oxjit_abi::exc::{ExcSpec, DYNAMIC};

/// The body of a parallel loop: runs iterations `[start, end)` as worker
/// `tid` (`0 <= tid < oxjit_rt_max_threads()`); returns 0 or an exception
/// status (a descriptor id, or [`DYNAMIC`] after storing a pending dynamic
/// exception in the calling thread's slot via [`raise_dynamic`]).
pub type ChunkFn = unsafe extern "C" fn(ctx: *mut u8, start: i64, end: i64, tid: i64) -> i32;

/// An idle thread busy-waits this long, then yields until `YIELD_FOR`,
/// then parks. Spinning is the fastest hand-off when every thread has a
/// core of its own; yielding keeps hand-offs at a few µs when threads
/// share a core (a busy machine), where a spinning waiter would hold the
/// core the thread it waits for needs.
const SPIN_FOR: Duration = Duration::from_micros(1);
const YIELD_FOR: Duration = Duration::from_micros(50);

/// Dynamic schedule: about this many chunks per thread, so uneven
/// iterations balance out without a counter update per iteration.
const CHUNKS_PER_THREAD: u64 = 8;

/// Size of the pool including the caller: `OXJIT_NUM_THREADS` if set and
/// valid (>= 1), else the number of CPUs. Read once.
pub fn max_threads() -> usize {
    static MAX: OnceLock<usize> = OnceLock::new();
    *MAX.get_or_init(|| {
        std::env::var("OXJIT_NUM_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n >= 1)
            .unwrap_or_else(|| thread::available_parallelism().map_or(1, |p| p.get()))
    })
}

/// [`max_threads`] for compiled code (sizing per-thread slots).
#[no_mangle]
pub extern "C" fn oxjit_rt_max_threads() -> i64 {
    max_threads() as i64
}

/// Held while a chunk combines its array reduction into the shared array.
static COMBINE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Takes the lock that serialises array-reduction combines (short: one
/// elementwise update per chunk), yielding while another thread holds it.
#[no_mangle]
pub extern "C" fn oxjit_rt_combine_lock() {
    while COMBINE
        .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        thread::yield_now();
    }
}

/// Releases [`oxjit_rt_combine_lock`].
#[no_mangle]
pub extern "C" fn oxjit_rt_combine_unlock() {
    COMBINE.store(false, Ordering::Release);
}

/// The region a thread is running a chunk of.
#[derive(Clone, Copy)]
struct InRegion {
    tid: usize,
    threads: usize,
}

thread_local! {
    /// This thread's `set_num_threads` value; 0 = not set (all threads).
    static NUM_THREADS: Cell<usize> = const { Cell::new(0) };
    /// Set while this thread runs a loop body, so nested loops run serially.
    static REGION: Cell<Option<InRegion>> = const { Cell::new(None) };
}

/// Sets how many threads parallel loops launched from this thread use.
pub fn set_num_threads(n: usize) -> Result<(), String> {
    let max = max_threads();
    if !(1..=max).contains(&n) {
        return Err(format!("The number of threads must be between 1 and {max}"));
    }
    NUM_THREADS.set(n);
    Ok(())
}

/// The calling thread's thread count; inside a parallel region, the
/// region's (every `tid` in the region is below it).
pub fn get_num_threads() -> usize {
    match REGION.get() {
        Some(r) => r.threads,
        None => match NUM_THREADS.get() {
            0 => max_threads(),
            n => n,
        },
    }
}

/// The worker id inside a parallel region: 0 on the launching thread and
/// outside regions, `1..k` on pool threads.
pub fn get_thread_id() -> usize {
    REGION.get().map_or(0, |r| r.tid)
}

/// [`get_thread_id`] for compiled code (`oxjit.get_thread_id()`).
#[no_mangle]
pub extern "C" fn oxjit_rt_thread_id() -> i64 {
    get_thread_id() as i64
}

/// [`get_num_threads`] for compiled code (`oxjit.get_num_threads()`).
#[no_mangle]
pub extern "C" fn oxjit_rt_num_threads() -> i64 {
    get_num_threads() as i64
}

/// Marks this thread as inside a region until dropped (also on unwind).
struct Enter(Option<InRegion>);

impl Enter {
    fn new(tid: usize, threads: usize) -> Enter {
        Enter(REGION.replace(Some(InRegion { tid, threads })))
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        REGION.set(self.0);
    }
}

/// One parallel loop, shared by the threads that run it.
struct Region {
    /// Which launch this is; workers remember the last one they saw.
    epoch: u64,
    body: ChunkFn,
    /// The body's context pointer, as an address so the region is `Sync`
    /// without an `unsafe impl`; only dereferenced by the body.
    ctx: usize,
    n: u64,
    /// The launcher's thread count (what `get_num_threads` says inside).
    threads: usize,
    /// Threads taking part: workers `0..active`.
    active: usize,
    /// Iterations per chunk for the dynamic schedule; 0 = static.
    chunk: u64,
    /// Dynamic schedule: first iteration not yet handed out.
    next: AtomicU64,
    /// Status of the first failing chunk, 0 while none failed.
    status: AtomicI32,
    /// The first failure's dynamic exception, for the launcher.
    exception: Mutex<Option<ExcSpec>>,
    /// Pool workers (not the launcher) still running their part.
    unfinished: AtomicUsize,
    launcher: Thread,
}

impl Region {
    /// Runs worker `tid`'s share; a panic becomes the region's failure.
    fn work(&self, tid: usize) {
        let _in = Enter::new(tid, self.threads);
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| self.chunks(tid))) {
            self.fail(panicked(payload));
        }
    }

    fn chunks(&self, tid: usize) {
        if self.chunk == 0 {
            let (start, end) = block(self.n, self.active, tid);
            if start < end && !self.failed() {
                self.run(start, end, tid);
            }
            return;
        }
        while !self.failed() {
            let start = self.next.fetch_add(self.chunk, Ordering::Relaxed);
            if start >= self.n {
                break;
            }
            self.run(start, (start + self.chunk).min(self.n), tid);
        }
    }

    fn run(&self, start: u64, end: u64, tid: usize) {
        // SAFETY: the launcher's contract (see `oxjit_rt_parallel_for`):
        // `body` may run any sub-range of `0..n` with `ctx` on any thread,
        // and `ctx` stays valid until every worker is done.
        let status =
            unsafe { (self.body)(self.ctx as *mut u8, start as i64, end as i64, tid as i64) };
        if status != 0 {
            self.fail(status);
        }
    }

    fn failed(&self) -> bool {
        self.status.load(Ordering::Relaxed) != 0
    }

    fn fail(&self, status: i32) {
        // Take the exception even if another chunk failed first, so none
        // is left pending on a pool thread.
        let exception = (status == DYNAMIC as i32).then(take_dynamic).flatten();
        if self
            .status
            .compare_exchange(0, status, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
        {
            *self.exception.lock().unwrap_or_else(|e| e.into_inner()) = exception;
        }
    }

    /// Called by each pool worker when its part is done; the last one
    /// wakes the launcher.
    fn leave(&self) {
        if self.unfinished.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.launcher.unpark();
        }
    }
}

/// Worker `tid`'s block of the static schedule: `0..n` cut into `parts`
/// contiguous blocks in worker order, sizes differing by at most one.
fn block(n: u64, parts: usize, tid: usize) -> (u64, u64) {
    let (parts, tid) = (parts as u64, tid as u64);
    let (size, extra) = (n / parts, n % parts);
    let start = tid * size + tid.min(extra);
    (start, start + size + u64::from(tid < extra))
}

/// A panic caught in a worker, as a dynamic `RuntimeError`.
fn panicked(payload: Box<dyn Any + Send>) -> i32 {
    let what = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("panic");
    raise_dynamic(ExcSpec::with_message(
        "RuntimeError",
        &format!("oxjit: parallel loop failed: {what}"),
    )) as i32
}

/// What launchers and workers share; const-initialised so workers can
/// reach it while [`POOL`] is still being set up.
struct Shared {
    /// The last launch's epoch, held while a region runs on the pool.
    busy: Mutex<u64>,
    /// Published after `region`, so a worker seeing a new epoch finds it.
    epoch: AtomicU64,
    region: RwLock<Option<Arc<Region>>>,
}

static SHARED: Shared = Shared {
    busy: Mutex::new(0),
    epoch: AtomicU64::new(0),
    region: RwLock::new(None),
};

/// The pool threads, started on the first loop that wants them.
struct Pool {
    /// Worker `i + 1`.
    workers: Vec<Thread>,
    /// The process that started them: a forked child has no workers.
    pid: u32,
}

static POOL: OnceLock<Pool> = OnceLock::new();

fn pool() -> Option<&'static Pool> {
    let pool = POOL.get_or_init(|| {
        // Spawning stops at the first failure; the pool is then smaller.
        let workers = (1..max_threads())
            .map_while(|tid| {
                thread::Builder::new()
                    .name(format!("oxjit-worker-{tid}"))
                    // Loop bodies are user code: give them the stack a
                    // main thread has rather than Rust's 2 MiB default.
                    .stack_size(8 << 20)
                    .spawn(move || worker(tid))
                    .ok()
                    .map(|h| h.thread().clone())
            })
            .collect();
        Pool {
            workers,
            pid: std::process::id(),
        }
    });
    (pool.pid == std::process::id()).then_some(pool)
}

fn worker(tid: usize) -> ! {
    let (mut seen, mut joined) = (0, true);
    loop {
        let launched = || SHARED.epoch.load(Ordering::Acquire) != seen;
        if joined {
            wait_until(launched);
        } else {
            // Left out of the last region (fewer threads wanted): likely
            // left out of the next, so sleep until a launcher wakes us.
            while !launched() {
                thread::park();
            }
        }
        let region = SHARED
            .region
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let Some(region) = region else { continue };
        // The region read may be newer than the epoch that woke us; go by
        // its own epoch so no region is joined twice.
        seen = region.epoch;
        joined = tid < region.active;
        if joined {
            region.work(tid);
            region.leave();
        }
    }
}

/// Waits until `ready()`: spins, then yields, then parks. Whoever makes
/// `ready()` true unparks this thread afterwards.
fn wait_until(ready: impl Fn() -> bool) {
    let start = Instant::now();
    while start.elapsed() < SPIN_FOR {
        for _ in 0..16 {
            if ready() {
                return;
            }
            std::hint::spin_loop();
        }
    }
    while start.elapsed() < YIELD_FOR {
        if ready() {
            return;
        }
        thread::yield_now();
    }
    while !ready() {
        thread::park();
    }
}

/// Runs `body` over `0..n` on the pool. `dynamic == 0`: static schedule,
/// one contiguous block per thread in thread order (deterministic for a
/// given thread count); otherwise threads take chunks of about
/// `n / (8 * threads)` iterations from a shared counter. Returns 0 or the
/// status of the first chunk to fail (by time), after which no chunk
/// starts; every thread has finished with `ctx` when this returns. A
/// [`DYNAMIC`] failure's exception is moved to the calling thread.
///
/// # Safety
/// `body` must be safe to call with `ctx` on any thread, concurrently, for
/// disjoint sub-ranges of `0..n`, and must not unwind.
#[no_mangle]
pub unsafe extern "C" fn oxjit_rt_parallel_for(
    body: ChunkFn,
    ctx: *mut u8,
    n: i64,
    dynamic: i32,
) -> i32 {
    if n <= 0 {
        return 0;
    }
    let (outer, threads) = (REGION.get(), get_num_threads());
    // One chunk on this thread, as worker 0 or, nested, as the worker it is.
    let serial = || {
        let tid = outer.map_or(0, |r| r.tid);
        let _in = Enter::new(tid, threads);
        // SAFETY: the caller's contract.
        unsafe { body(ctx, 0, n, tid as i64) }
    };
    let wanted = threads.min(usize::try_from(n).unwrap_or(usize::MAX));
    if wanted == 1 || outer.is_some() {
        return serial();
    }
    let Some(pool) = pool() else { return serial() };
    let active = wanted.min(pool.workers.len() + 1);
    if active == 1 {
        return serial();
    }
    let mut epoch = match SHARED.busy.try_lock() {
        Ok(guard) => guard,
        Err(TryLockError::Poisoned(e)) => e.into_inner(),
        // Another thread's loop has the pool.
        Err(TryLockError::WouldBlock) => return serial(),
    };
    *epoch += 1;
    let n = n as u64;
    let region = Arc::new(Region {
        epoch: *epoch,
        body,
        ctx: ctx as usize,
        n,
        threads,
        active,
        chunk: if dynamic == 0 {
            0
        } else {
            (n / (CHUNKS_PER_THREAD * active as u64)).max(1)
        },
        next: AtomicU64::new(0),
        status: AtomicI32::new(0),
        exception: Mutex::new(None),
        unfinished: AtomicUsize::new(active - 1),
        launcher: thread::current(),
    });
    *SHARED.region.write().unwrap_or_else(|e| e.into_inner()) = Some(region.clone());
    SHARED.epoch.store(*epoch, Ordering::Release);
    // Cheap for a worker that is still spinning: no system call.
    for w in &pool.workers[..active - 1] {
        w.unpark();
    }
    region.work(0);
    wait_until(|| region.unfinished.load(Ordering::Acquire) == 0);
    drop(epoch);
    let status = region.status.load(Ordering::Acquire);
    if status == DYNAMIC as i32 {
        if let Some(spec) = region
            .exception
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            raise_dynamic(spec);
        }
    }
    status
}

/// [`oxjit_rt_parallel_for`] for Rust callers: `body(start, end, tid)`
/// returns 0 or a status; a panic in it becomes a dynamic `RuntimeError`.
pub fn parallel_for<F>(n: i64, dynamic: bool, body: F) -> i32
where
    F: Fn(i64, i64, i64) -> i32 + Sync,
{
    unsafe extern "C" fn chunk<F>(ctx: *mut u8, start: i64, end: i64, tid: i64) -> i32
    where
        F: Fn(i64, i64, i64) -> i32 + Sync,
    {
        // SAFETY: `ctx` is the `&F` below, alive until the loop returns.
        let body = unsafe { &*ctx.cast_const().cast::<F>() };
        catch_unwind(AssertUnwindSafe(|| body(start, end, tid))).unwrap_or_else(panicked)
    }
    let ctx = std::ptr::from_ref(&body).cast_mut().cast::<u8>();
    // SAFETY: `F: Sync`, so `&F` may be used from several threads at
    // once, and `chunk` catches panics.
    unsafe { oxjit_rt_parallel_for(chunk::<F>, ctx, n, i32::from(dynamic)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_tile_the_range_in_order() {
        for n in [0, 1, 2, 3, 7, 100, 1_000_003] {
            for parts in 1..=9 {
                let mut next = 0;
                for tid in 0..parts {
                    let (start, end) = block(n, parts, tid);
                    assert_eq!(start, next);
                    assert!(end - start <= n / parts as u64 + 1);
                    next = end;
                }
                assert_eq!(next, n);
            }
        }
    }
}
