//! Panics in the compiler become errors: a bug must reach the user as an
//! internal compiler error with the panic's message and location, never as
//! a Rust backtrace on stderr and a `PanicException`.

use std::cell::{Cell, RefCell};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Set while `guarded` runs on this thread: the hook records instead
    /// of printing.
    static GUARDED: Cell<bool> = const { Cell::new(false) };
    static LAST: RefCell<String> = const { RefCell::new(String::new()) };
}

fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !GUARDED.get() {
                return default(info);
            }
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic".into());
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            LAST.set(format!("{message}{at}"));
        }));
    });
}

/// Runs `f`; if it panics, returns `on_panic` of the panic's message.
pub fn guarded<T, E>(
    f: impl FnOnce() -> Result<T, E>,
    on_panic: impl FnOnce(String) -> E,
) -> Result<T, E> {
    install_hook();
    let outer = GUARDED.replace(true);
    let r = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.set(outer);
    r.unwrap_or_else(|_| Err(on_panic(LAST.take())))
}
