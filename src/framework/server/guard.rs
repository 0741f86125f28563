//! The panic guard around provider code: a panic becomes an error
//! diagnostic, and its message is not logged.

use std::cell::Cell;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Once;
use std::task::{Context as TaskContext, Poll};

use futures::FutureExt;

use crate::framework::diag::Diagnostic;

thread_local! {
    static GUARDED: Cell<usize> = const { Cell::new(0) };
}

static HOOK: Once = Once::new();

/// Installs (once per process) a panic hook that stays silent for panics
/// inside provider calls run by [`super::ProviderService`] (logging only that a
/// panic happened and where), and defers to the previous hook otherwise.
pub fn install_panic_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) > 0 {
                let location = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()))
                    .unwrap_or_default();
                tracing::error!(%location, "panic in provider code; message suppressed");
            } else {
                previous(info);
            }
        }));
    });
}

struct GuardCount;

impl GuardCount {
    fn enter() -> Self {
        GUARDED.with(|c| c.set(c.get() + 1));
        GuardCount
    }
}

impl Drop for GuardCount {
    fn drop(&mut self) {
        GUARDED.with(|c| c.set(c.get().saturating_sub(1)));
    }
}

/// Marks each poll of the inner future as "inside provider code".
struct Quiet<F>(Pin<Box<F>>);

impl<F: Future> Future for Quiet<F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        let _g = GuardCount::enter();
        self.0.as_mut().poll(cx)
    }
}

/// Runs provider code, turning a panic into an error diagnostic.
pub(super) async fn guarded<F: Future>(fut: F) -> Result<F::Output, Diagnostic> {
    AssertUnwindSafe(Quiet(Box::pin(fut)))
        .catch_unwind()
        .await
        .map_err(|_| {
            Diagnostic::error(
                "Internal error in provider",
                "The provider hit an unexpected internal error while handling this request. Please report this issue to the provider developers.",
            )
        })
}
