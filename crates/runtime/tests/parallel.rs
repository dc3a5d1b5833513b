//! The parallel-loop pool through its public API. A separate test binary:
//! the pool is process-wide, so tests that expect it free hold [`LOCK`],
//! and the thread count (`OXJIT_NUM_THREADS`, read once) is set to 3 here
//! unless the environment sets it, so that 1, 2 and 3 threads are all
//! exercised even on a 2-core machine.
//!
//! Launch overhead: `cargo test --release -p oxjit-runtime --test parallel
//! launch_overhead -- --ignored --nocapture`.

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, Once};
use std::thread;
use std::time::{Duration, Instant};

use oxjit_abi::exc::{ExcArg, ExcSpec, DYNAMIC};
use oxjit_runtime::exceptions::{raise_dynamic, take_dynamic};
use oxjit_runtime::parallel::{
    get_num_threads, get_thread_id, max_threads, oxjit_rt_max_threads, oxjit_rt_parallel_for,
    parallel_for, set_num_threads,
};

static LOCK: Mutex<()> = Mutex::new(());

/// Holds the pool for one test (after fixing the thread count).
fn exclusive() -> MutexGuard<'static, ()> {
    static ENV: Once = Once::new();
    ENV.call_once(|| {
        if std::env::var_os("OXJIT_NUM_THREADS").is_none() {
            std::env::set_var("OXJIT_NUM_THREADS", "3");
        }
    });
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The thread counts to test: 1, 2, 3 as far as the pool allows.
fn thread_counts() -> std::ops::RangeInclusive<usize> {
    1..=max_threads().min(3)
}

const LENGTHS: [i64; 6] = [0, 1, 2, 3, 1000, 1_000_003];

fn value(i: i64) -> u64 {
    (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (i as u64 >> 7)
}

/// Runs a loop that sums `value(i)` into per-thread slots and records its
/// chunks `(start, end, tid)`, sorted by start.
fn sum_loop(n: i64, dynamic: bool) -> (u64, Vec<(i64, i64, i64)>) {
    let slots: Vec<AtomicU64> = (0..max_threads()).map(|_| AtomicU64::new(0)).collect();
    let chunks = Mutex::new(Vec::new());
    let status = parallel_for(n, dynamic, |start, end, tid| {
        assert!(start < end, "empty chunk");
        let part = (start..end).fold(0u64, |s, i| s.wrapping_add(value(i)));
        // Only thread `tid` touches its slot: a plain load and store.
        let slot = &slots[tid as usize];
        slot.store(
            slot.load(Ordering::Relaxed).wrapping_add(part),
            Ordering::Relaxed,
        );
        chunks.lock().unwrap().push((start, end, tid));
        0
    });
    assert_eq!(status, 0);
    let mut chunks = chunks.into_inner().unwrap();
    chunks.sort_unstable();
    let total = slots
        .iter()
        .fold(0u64, |s, x| s.wrapping_add(x.load(Ordering::Relaxed)));
    (total, chunks)
}

/// Chunks sorted by start tile `0..n` exactly once.
fn assert_tiles(chunks: &[(i64, i64, i64)], n: i64) {
    let mut next = 0;
    for &(start, end, _) in chunks {
        assert_eq!(start, next, "gap or overlap at {start}");
        next = end;
    }
    assert_eq!(next, n.max(0));
}

#[test]
fn max_threads_honours_the_environment() {
    let _pool = exclusive();
    let want: usize = std::env::var("OXJIT_NUM_THREADS").unwrap().parse().unwrap();
    assert_eq!(max_threads(), want);
    assert_eq!(oxjit_rt_max_threads(), want as i64);
}

#[test]
fn results_match_serial_for_every_length_and_thread_count() {
    let _pool = exclusive();
    for k in thread_counts() {
        set_num_threads(k).unwrap();
        for n in LENGTHS {
            let serial = (0..n).fold(0u64, |s, i| s.wrapping_add(value(i)));
            for dynamic in [false, true] {
                let (total, chunks) = sum_loop(n, dynamic);
                assert_eq!(total, serial, "n={n} k={k} dynamic={dynamic}");
                assert_tiles(&chunks, n);
                assert!(chunks.iter().all(|c| (c.2 as usize) < k));
                let used = k.min(n as usize);
                if !dynamic {
                    // One block per thread, in thread order, sizes within one.
                    let tids: Vec<i64> = chunks.iter().map(|c| c.2).collect();
                    assert_eq!(tids, (0..used as i64).collect::<Vec<_>>(), "n={n} k={k}");
                    let sizes = chunks.iter().map(|c| c.1 - c.0);
                    assert!(sizes.clone().max().unwrap_or(0) - sizes.min().unwrap_or(0) <= 1);
                } else if n > 0 && used > 1 {
                    let chunk = (n / (8 * used as i64)).max(1);
                    assert!(chunks.iter().all(|c| c.1 - c.0 <= chunk));
                    assert_eq!(chunks.len() as i64, (n + chunk - 1) / chunk);
                }
            }
        }
    }
    set_num_threads(max_threads()).unwrap();
}

#[test]
fn static_schedule_is_deterministic() {
    let _pool = exclusive();
    let data: Vec<f64> = (0..100_001).map(|i| 1.0 / (1.0 + i as f64)).collect();
    for k in thread_counts() {
        set_num_threads(k).unwrap();
        let run = || {
            let slots: Vec<AtomicU64> = (0..k).map(|_| AtomicU64::new(0)).collect();
            parallel_for(data.len() as i64, false, |s, e, tid| {
                let part: f64 = data[s as usize..e as usize].iter().sum();
                slots[tid as usize].store(part.to_bits(), Ordering::Relaxed);
                0
            });
            slots
                .iter()
                .map(|s| f64::from_bits(s.load(Ordering::Relaxed)))
                .sum::<f64>()
        };
        let first = run();
        for _ in 0..20 {
            assert_eq!(run().to_bits(), first.to_bits(), "k={k}");
        }
    }
    set_num_threads(max_threads()).unwrap();
}

#[test]
fn dynamic_schedule_balances_uneven_work() {
    let _pool = exclusive();
    let k = max_threads().min(3);
    set_num_threads(k).unwrap();
    let n = 4000;
    let hits: Vec<AtomicU32> = (0..n).map(|_| AtomicU32::new(0)).collect();
    let per_tid: Vec<AtomicUsize> = (0..k).map(|_| AtomicUsize::new(0)).collect();
    let status = parallel_for(n as i64, true, |s, e, tid| {
        for i in s..e {
            hits[i as usize].fetch_add(1, Ordering::Relaxed);
            // The first tenth of the range is slow.
            if i < n as i64 / 10 {
                thread::sleep(Duration::from_micros(20));
            }
        }
        per_tid[tid as usize].fetch_add((e - s) as usize, Ordering::Relaxed);
        0
    });
    assert_eq!(status, 0);
    assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == 1));
    let counts: Vec<usize> = per_tid.iter().map(|c| c.load(Ordering::Relaxed)).collect();
    assert_eq!(counts.iter().sum::<usize>(), n);
    if k > 1 {
        // Static blocks would give every thread n / k; the thread that got
        // the slow chunks must have taken fewer.
        assert!(counts.iter().min().unwrap() < &(n / k), "{counts:?}");
    }
    set_num_threads(max_threads()).unwrap();
}

#[test]
fn first_failure_is_returned_and_stops_new_chunks() {
    let _pool = exclusive();
    let k = max_threads().min(3);
    set_num_threads(k).unwrap();
    // Dynamic: the chunk holding index 0 fails at once, the others take a
    // millisecond each, so only chunks already running when it failed
    // may complete.
    let started = AtomicUsize::new(0);
    let status = parallel_for(10_000, true, |s, _e, _tid| {
        started.fetch_add(1, Ordering::Relaxed);
        if s == 0 {
            return 77;
        }
        thread::sleep(Duration::from_millis(1));
        0
    });
    assert_eq!(status, 77);
    let chunks = 10_000usize.div_ceil(10_000 / (8 * k)).max(1);
    assert!(
        started.load(Ordering::Relaxed) <= 2 * k,
        "{} of {chunks}",
        started.load(Ordering::Relaxed)
    );

    // Static, two failures: the earlier one wins whichever thread it is on.
    if k >= 2 {
        set_num_threads(2).unwrap();
        for late in [0, 1] {
            let status = parallel_for(2, false, |s, _e, tid| {
                assert_eq!(s, tid);
                if s == late {
                    thread::sleep(Duration::from_millis(30));
                    return 5;
                }
                6
            });
            assert_eq!(status, 6);
        }
    }
    set_num_threads(max_threads()).unwrap();
}

/// A `ChunkFn` that raises a dynamic `ValueError` naming the chunk's start
/// when the chunk holds index `*ctx`.
unsafe extern "C" fn fail_at(ctx: *mut u8, start: i64, end: i64, tid: i64) -> i32 {
    let at = unsafe { *ctx.cast::<i64>() };
    if (start..end).contains(&at) {
        return raise_dynamic(ExcSpec::with_message(
            "ValueError",
            &format!("bad chunk {start} on {tid}"),
        )) as i32;
    }
    0
}

#[test]
fn dynamic_exception_arrives_on_the_calling_thread() {
    let _pool = exclusive();
    let k = max_threads().min(2);
    set_num_threads(k).unwrap();
    // Index 1 is on worker 1 (a pool thread) when there are two threads.
    for mut at in [1i64, 0] {
        let status = unsafe { oxjit_rt_parallel_for(fail_at, (&raw mut at).cast(), 2, 0) };
        assert_eq!(status, DYNAMIC as i32);
        let tid = if k == 2 { at } else { 0 };
        let start = if k == 2 { at } else { 0 };
        assert_eq!(
            take_dynamic(),
            Some(ExcSpec::with_message(
                "ValueError",
                &format!("bad chunk {start} on {tid}")
            ))
        );
        assert_eq!(take_dynamic(), None);
    }
    set_num_threads(max_threads()).unwrap();
}

#[test]
fn panic_in_a_body_becomes_a_runtime_error() {
    let _pool = exclusive();
    for k in thread_counts() {
        set_num_threads(k).unwrap();
        let status = parallel_for(100, false, |s, e, _| {
            if (s..e).contains(&99) {
                panic!("deliberate test panic");
            }
            0
        });
        assert_eq!(status, DYNAMIC as i32);
        let spec = take_dynamic().unwrap();
        assert_eq!(spec.class, "RuntimeError");
        assert!(
            matches!(&spec.args[..], [ExcArg::Str(m)] if m.contains("deliberate test panic")),
            "{spec:?}"
        );
        // The pool still works.
        assert_eq!(sum_loop(1000, true).0, sum_loop(1000, false).0);
    }
    set_num_threads(max_threads()).unwrap();
}

#[test]
fn nested_loops_run_serially_on_the_calling_thread() {
    let _pool = exclusive();
    let k = max_threads().min(3);
    set_num_threads(k).unwrap();
    let inner = Mutex::new(Vec::new());
    let status = parallel_for(k as i64, false, |_s, _e, tid| {
        let me = thread::current().id();
        parallel_for(100, true, |s, e, inner_tid| {
            assert_eq!(thread::current().id(), me);
            assert_eq!(get_num_threads(), k);
            assert_eq!(get_thread_id() as i64, tid);
            inner.lock().unwrap().push((tid, s, e, inner_tid));
            0
        })
    });
    assert_eq!(status, 0);
    let mut inner = inner.into_inner().unwrap();
    inner.sort_unstable();
    let want: Vec<_> = (0..k as i64).map(|t| (t, 0, 100, t)).collect();
    assert_eq!(inner, want);
    set_num_threads(max_threads()).unwrap();
}

#[test]
fn thread_ids_and_counts_inside_bodies() {
    let _pool = exclusive();
    let launcher = thread::current().id();
    for k in thread_counts() {
        set_num_threads(k).unwrap();
        let seen = Mutex::new(Vec::new());
        parallel_for(k as i64, false, |_s, _e, tid| {
            assert_eq!(get_thread_id() as i64, tid);
            assert_eq!(get_num_threads(), k);
            assert_eq!(thread::current().id() == launcher, tid == 0);
            seen.lock().unwrap().push(tid);
            0
        });
        let mut seen = seen.into_inner().unwrap();
        seen.sort_unstable();
        assert_eq!(seen, (0..k as i64).collect::<Vec<_>>());
        assert_eq!(get_thread_id(), 0);
        assert_eq!(get_num_threads(), k);
    }
    set_num_threads(max_threads()).unwrap();
}

#[test]
fn set_num_threads_is_checked_and_per_thread() {
    let _pool = exclusive();
    let max = max_threads();
    let message = format!("The number of threads must be between 1 and {max}");
    assert_eq!(set_num_threads(0), Err(message.clone()));
    assert_eq!(set_num_threads(max + 1), Err(message));
    set_num_threads(1).unwrap();
    assert_eq!(get_num_threads(), 1);
    thread::spawn(move || assert_eq!(get_num_threads(), max))
        .join()
        .unwrap();
    // One thread: a single chunk on the caller.
    assert_eq!(sum_loop(1000, false).1, vec![(0, 1000, 0)]);
    set_num_threads(max).unwrap();
}

#[test]
fn concurrent_launchers_both_get_correct_results() {
    let _pool = exclusive();
    let n = 200_000;
    let serial = (0..n).fold(0u64, |s, i| s.wrapping_add(value(i)));
    let stop = AtomicBool::new(false);
    thread::scope(|scope| {
        let launchers: Vec<_> = (0..2)
            .map(|j| {
                let stop = &stop;
                scope.spawn(move || {
                    for round in 0..200 {
                        let (total, chunks) = sum_loop(n, (round + j) % 2 == 0);
                        assert_eq!(total, serial);
                        assert_tiles(&chunks, n);
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                    }
                })
            })
            .collect();
        for l in launchers {
            let r = l.join();
            stop.store(true, Ordering::Relaxed);
            r.unwrap();
        }
    });
}

#[test]
fn forked_child_runs_loops_serially() {
    let _pool = exclusive();
    // Start the pool in this process first.
    assert_eq!(sum_loop(1000, false).0, sum_loop(1000, true).0);
    // SAFETY: the child only runs a loop and leaves with `_exit`.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0);
    if pid == 0 {
        let ok = std::panic::catch_unwind(|| {
            let (total, chunks) = sum_loop(10_000, false);
            total == (0..10_000).fold(0u64, |s, i| s.wrapping_add(value(i)))
                && chunks == vec![(0, 10_000, 0)]
        });
        unsafe { libc::_exit(if matches!(ok, Ok(true)) { 0 } else { 1 }) };
    }
    let mut status = 0;
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{status}"
    );
}

/// Launch plus join of a loop with nothing to do, with warm workers, and a
/// 10k-element loop serial versus on the pool.
#[test]
#[ignore = "timing; run in release with --nocapture"]
fn launch_overhead() {
    let _pool = exclusive();
    let k = max_threads().min(thread::available_parallelism().map_or(1, |p| p.get()));
    set_num_threads(k).unwrap();
    let best = |f: &dyn Fn()| {
        (0..7)
            .map(|_| {
                let (start, mut calls) = (Instant::now(), 0);
                while start.elapsed() < Duration::from_millis(100) {
                    f();
                    calls += 1;
                }
                start.elapsed().as_secs_f64() / calls as f64 * 1e6
            })
            .fold(f64::INFINITY, f64::min)
    };
    let empty = best(&|| {
        parallel_for(k as i64, false, |_, _, _| 0);
    });
    eprintln!("{k} threads: empty loop (launch + join, warm) {empty:.2} us");
    let cold = (0..20)
        .map(|_| {
            thread::sleep(Duration::from_millis(2));
            let t = Instant::now();
            parallel_for(k as i64, false, |_, _, _| 0);
            t.elapsed().as_secs_f64() * 1e6
        })
        .fold(f64::INFINITY, f64::min);
    eprintln!("{k} threads: empty loop after 2 ms idle (parked workers) {cold:.2} us");
    let data: Vec<f64> = (0..10_000).map(|i| i as f64 * 0.5).collect();
    let slots: Vec<AtomicU64> = (0..k).map(|_| AtomicU64::new(0)).collect();
    let work = |s: i64, e: i64, tid: i64| {
        let part: f64 = data[s as usize..e as usize].iter().map(|x| x.sqrt()).sum();
        slots[tid as usize].store(part.to_bits(), Ordering::Relaxed);
        0
    };
    let serial = best(&|| {
        std::hint::black_box(work(0, 10_000, 0));
    });
    let par = best(&|| {
        parallel_for(10_000, false, work);
    });
    eprintln!("10k sqrt-sum: serial {serial:.2} us, {k} threads {par:.2} us");
    set_num_threads(max_threads()).unwrap();
}
