//! The session's remaining time on the profile, counting down.
use leptos::{html::Span, prelude::*};
use std::{cell::Cell, rc::Rc, time::Duration};

/// `seconds_left` as the server computed it when it rendered the page,
/// counted down by the browser's monotonic clock from the moment the island
/// wakes (so a wrong clock on the device does not matter).
#[island]
pub fn SessionCountdown(seconds_left: i64) -> impl IntoView {
    let left = RwSignal::new(seconds_left);
    let node = NodeRef::<Span>::new();
    Effect::new(move |_| {
        let start = now_ms();
        let handle = Rc::new(Cell::new(None));
        let tick = set_interval_with_handle(
            {
                let handle = handle.clone();
                move || {
                    // The islands router replaced the page: stop.
                    if node.get_untracked().is_some_and(|el| !el.is_connected()) {
                        if let Some(tick) = handle.take() {
                            IntervalHandle::clear(&tick);
                        }
                        return;
                    }
                    let elapsed = ((now_ms() - start) / 1000.0) as i64;
                    left.set((seconds_left - elapsed).max(0));
                }
            },
            Duration::from_secs(1),
        );
        handle.set(tick.ok());
    });
    view! {
        <span node_ref=node role="timer" data-testid="session-left">
            {move || format_left(left.get())}
        </span>
    }
}

fn now_ms() -> f64 {
    leptos::web_sys::js_sys::Date::now()
}

/// `59:58`, `1:02:03`, `6 days 23:59:58`; `expired` at zero.
pub fn format_left(seconds: i64) -> String {
    if seconds <= 0 {
        return "expired".to_owned();
    }
    let (days, rest) = (seconds / 86_400, seconds % 86_400);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let clock = if h > 0 || days > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    };
    match days {
        0 => clock,
        1 => format!("1 day {clock}"),
        d => format!("{d} days {clock}"),
    }
}

#[cfg(test)]
mod tests {
    use super::format_left;

    #[test]
    fn formats_what_is_left() {
        assert_eq!(format_left(0), "expired");
        assert_eq!(format_left(-5), "expired");
        assert_eq!(format_left(59), "0:59");
        assert_eq!(format_left(3599), "59:59");
        assert_eq!(format_left(3723), "1:02:03");
        assert_eq!(format_left(86_400 + 61), "1 day 0:01:01");
        assert_eq!(format_left(7 * 86_400 - 2), "6 days 23:59:58");
    }
}
