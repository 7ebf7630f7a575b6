//! [ssr] The time as sesame stores and shows it: unix seconds, UTC.
//!
//! One `now()` for every table and session key, so a test or a later
//! change (a clock to inject) has one place to look.

/// Now, in unix seconds.
pub fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Unix seconds as the pages show them, in UTC.
pub fn format_time(unix: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => format!(
            "{} {:02}:{:02}:{:02} UTC",
            t.date(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => "unknown".to_owned(),
    }
}
