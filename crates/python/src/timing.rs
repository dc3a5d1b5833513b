//! Where a compilation's time goes, and the note for slow ones.
//!
//! `OXJIT_DEBUG_TIMING=1` prints one line per compilation to stderr with
//! the wall time of every stage (front end, code generation, each LLVM
//! phase, linking). Independently of it, a compilation still running after
//! a second (`OXJIT_COMPILE_NOTE_SECONDS` sets another delay) prints one
//! line saying what it compiles, so that a user does not take a long
//! compilation for a hang. A single watcher thread, started
//! by the first compilation, waits for that deadline; a compilation costs
//! it one lock and one notification.

use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long a compilation runs before the progress note.
fn slow() -> Duration {
    static SLOW: OnceLock<Duration> = OnceLock::new();
    *SLOW.get_or_init(|| {
        std::env::var("OXJIT_COMPILE_NOTE_SECONDS")
            .ok()
            .and_then(|v| v.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map_or(Duration::from_secs(1), Duration::from_secs_f64)
    })
}

/// Wall time of each stage of one compilation, in pipeline order.
#[derive(Default)]
pub struct StageTimes(pub Vec<(&'static str, Duration)>);

impl StageTimes {
    pub fn total(&self) -> Duration {
        self.0.iter().map(|(_, d)| *d).sum()
    }

    /// `name 1.23 ms, ...`.
    pub fn render(&self) -> String {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(n, d)| format!("{n} {:.2} ms", d.as_secs_f64() * 1e3))
            .collect();
        parts.join(", ")
    }
}

/// True if `OXJIT_DEBUG_TIMING` asks for the per-stage report.
pub fn report_wanted() -> bool {
    std::env::var("OXJIT_DEBUG_TIMING")
        .map(|v| !matches!(v.trim(), "" | "0"))
        .unwrap_or(false)
}

struct Running {
    what: String,
    deadline: Instant,
    generation: u64,
}

struct Watch {
    running: Mutex<(Option<Running>, u64)>,
    changed: Condvar,
}

fn watch() -> &'static Watch {
    static WATCH: OnceLock<&'static Watch> = OnceLock::new();
    WATCH.get_or_init(|| {
        let w: &'static Watch = Box::leak(Box::new(Watch {
            running: Mutex::new((None, 0)),
            changed: Condvar::new(),
        }));
        // Without the watcher only the note is lost, never the compilation.
        let _ = std::thread::Builder::new()
            .name("oxjit-compile-watch".into())
            .spawn(move || watcher(w));
        w
    })
}

fn watcher(w: &Watch) {
    let mut g = w.running.lock().unwrap_or_else(|p| p.into_inner());
    loop {
        let Some(r) = &g.0 else {
            g = w.changed.wait(g).unwrap_or_else(|p| p.into_inner());
            continue;
        };
        let now = Instant::now();
        if now < r.deadline {
            let wait = r.deadline - now;
            g = w
                .changed
                .wait_timeout(g, wait)
                .unwrap_or_else(|p| p.into_inner())
                .0;
            continue;
        }
        eprintln!(
            "oxjit: still compiling {} after {:.1} s ...",
            r.what,
            slow().as_secs_f64()
        );
        let seen = r.generation;
        // Once per compilation: wait until another one starts.
        while g.0.as_ref().is_some_and(|r| r.generation == seen) {
            g = w.changed.wait(g).unwrap_or_else(|p| p.into_inner());
        }
    }
}

/// The compilation of `what` while it is alive; dropping it ends the watch.
pub struct Watched(());

pub fn start(what: String) -> Watched {
    let w = watch();
    let mut g = w.running.lock().unwrap_or_else(|p| p.into_inner());
    g.1 += 1;
    g.0 = Some(Running {
        what,
        deadline: Instant::now() + slow(),
        generation: g.1,
    });
    w.changed.notify_one();
    Watched(())
}

impl Drop for Watched {
    fn drop(&mut self) {
        let w = watch();
        let mut g = w.running.lock().unwrap_or_else(|p| p.into_inner());
        g.0 = None;
        w.changed.notify_one();
    }
}
