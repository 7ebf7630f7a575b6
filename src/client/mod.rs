//! [ssr] Who the client is, and how much one client may ask of the server.
//!
//! The client is the socket's peer. Behind a reverse proxy every peer is
//! the proxy, so the operator lists the proxies in `TRUSTED_PROXIES`; only
//! a request from one of them has the one header they write read
//! (`CLIENT_IP_HEADER`: `X-Forwarded-For` or `Forwarded`), from the right
//! (the hop nearest to us) past every trusted hop. A header from anyone
//! else is ignored: a client could write any address there. So is the
//! other header even from a proxy: a proxy passes on the one it does not
//! write as the client sent it.
//!
//! Two per-client limits keep one address from using up what everyone
//! shares: password work (argon2 is the most expensive thing the server
//! does) and stored sessions (each is a row or a Redis key). Both are GCRA
//! buckets, updated with one atomic step, so a burst sent at once is held
//! to the limit exactly. Where several instances can meet, the buckets are
//! kept where they meet, so N instances do not allow N times the rate: in
//! Redis when `REDIS_URL` is set (one Lua script), else in PostgreSQL (one
//! `INSERT … ON CONFLICT DO UPDATE … WHERE`). On SQLite (one instance)
//! they are in memory (`governor`). Only password attempts and sessions
//! about to be stored ask; a session read never does.

pub mod origin;

use crate::{
    config::{ClientIpHeader, ClientRates},
    error::AppError,
};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{header, HeaderMap},
    middleware::Next,
    response::Response,
};
use governor::{clock::Clock, DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;
use std::{
    net::{IpAddr, Ipv6Addr, SocketAddr},
    num::NonZeroU32,
    sync::Arc,
};

/// The client's address, in the request's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// Who may name the client, and in which header.
#[derive(Clone)]
pub struct Proxies {
    pub trusted: Arc<[IpNet]>,
    pub header: ClientIpHeader,
}

/// Middleware (outermost): works out the client's address once.
pub async fn identify(State(proxies): State<Proxies>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]));
    let client = client_ip(peer, req.headers(), &proxies.trusted, proxies.header);
    req.extensions_mut().insert(ClientIp(client));
    next.run(req).await
}

/// The client of a request from `peer` with `headers`.
pub fn client_ip(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &[IpNet],
    header: ClientIpHeader,
) -> IpAddr {
    let peer = peer.to_canonical();
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    // Hops as the proxies appended them, nearest last.
    let hops: Vec<Option<IpAddr>> = if header == ClientIpHeader::Forwarded {
        headers
            .get_all(header::FORWARDED)
            .iter()
            .flat_map(|v| v.to_str().unwrap_or("").split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, v)| parse_hop(v))
            })
            .collect()
    } else {
        headers
            .get_all("x-forwarded-for")
            .iter()
            .flat_map(|v| v.to_str().unwrap_or("").split(','))
            .map(parse_hop)
            .collect()
    };
    let mut client = peer;
    for hop in hops.into_iter().rev() {
        // An address a proxy could not vouch for: stop at the last one it did.
        let Some(hop) = hop else { break };
        client = hop;
        if !is_trusted(&hop) {
            break;
        }
    }
    client
}

/// One hop: `1.2.3.4`, `1.2.3.4:5678`, `"[2001:db8::1]:4711"`, `2001:db8::1`.
fn parse_hop(text: &str) -> Option<IpAddr> {
    let text = text.trim().trim_matches('"');
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Some(addr.ip().to_canonical());
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .and_then(|inner| inner.parse::<IpAddr>().ok())
}

/// The client of the current request, from a server function.
pub fn current() -> IpAddr {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientIp>().copied())
        .map(|ClientIp(ip)| ip)
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

/// What the limits are counted by: the address, or for IPv6 its /64 (one
/// home or host gets a whole /64 and can pick any address in it).
fn bucket(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        v4 => v4,
    }
}

type Limiter = DefaultKeyedRateLimiter<IpAddr>;
type RedisPool = tower_sessions_redis_store::fred::prelude::Pool;

/// Where the buckets are kept.
pub enum Counts {
    /// In this instance's memory: one instance (SQLite).
    Local,
    /// In PostgreSQL, shared by every instance.
    Postgres(sqlx::PgPool),
    /// In Redis, shared by every instance.
    Redis(RedisPool),
}

/// The per-client limits.
pub struct ClientLimits {
    password_attempts: Option<Limiter>,
    new_sessions: Option<Limiter>,
    rates: ClientRates,
    counts: Counts,
}

/// Which limit a bucket belongs to.
#[derive(Clone, Copy)]
enum Which {
    PasswordAttempts,
    NewSessions,
}

impl Which {
    fn prefix(self) -> &'static str {
        match self {
            Which::PasswordAttempts => "password",
            Which::NewSessions => "session",
        }
    }
}

/// GCRA in Redis, one step: `KEYS[1]` the bucket, `ARGV` now, the
/// emission interval and the window (all in ms). Answers 0 when the
/// request is allowed (and counted), else how many ms until it would be.
const REDIS_GCRA: &str = "local now = tonumber(ARGV[1]) \
    local t = tonumber(ARGV[2]) \
    local window = tonumber(ARGV[3]) \
    local tat = tonumber(redis.call('GET', KEYS[1]) or now) \
    if tat < now then tat = now end \
    local new = tat + t \
    if new - now > window then return new - now - window end \
    redis.call('SET', KEYS[1], new, 'PX', new - now) \
    return 0";

/// GCRA in PostgreSQL, one statement: `$1` the bucket, `$2` now, `$3` the
/// emission interval, `$4` the window (ms). A row comes back when the
/// request is allowed (and counted); none when it is not.
const PG_GCRA: &str = "INSERT INTO client_limits (key, tat) VALUES ($1, $2 + $3) \
    ON CONFLICT (key) DO UPDATE SET tat = GREATEST(client_limits.tat, $2) + $3 \
    WHERE GREATEST(client_limits.tat, $2) + $3 - $2 <= $4 \
    RETURNING tat";

const WINDOW_MS: i64 = 60_000;

fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000
}

impl ClientLimits {
    pub fn new(rates: ClientRates, counts: Counts) -> Self {
        let limiter = |per_minute: NonZeroU32| RateLimiter::keyed(Quota::per_minute(per_minute));
        // Kept in memory with shared counts too: a client this instance
        // alone has seen over the limit is over it for the cluster, and is
        // refused without asking the shared store (a flood's cheap path).
        Self {
            password_attempts: rates.password_attempts.map(limiter),
            new_sessions: rates.new_sessions.map(limiter),
            rates,
            counts,
        }
    }

    /// Takes one password attempt (login, registration, password change)
    /// from `ip`'s allowance, or `Err(RateLimited)`.
    pub async fn password_attempt(&self, ip: IpAddr) -> Result<(), AppError> {
        self.take(Which::PasswordAttempts, ip).await
    }

    /// Takes one new stored session from `ip`'s allowance.
    pub async fn new_session(&self, ip: IpAddr) -> Result<(), AppError> {
        self.take(Which::NewSessions, ip).await
    }

    async fn take(&self, which: Which, ip: IpAddr) -> Result<(), AppError> {
        let (local, rate) = match which {
            Which::PasswordAttempts => (&self.password_attempts, self.rates.password_attempts),
            Which::NewSessions => (&self.new_sessions, self.rates.new_sessions),
        };
        let Some(rate) = rate else {
            return Ok(());
        };
        let key = format!("{}:{}", which.prefix(), bucket(ip));
        // Per minute, all at once if need be, then one every 60 s / rate.
        let interval = WINDOW_MS / i64::from(rate.get());
        let now = now_ms();
        take(local.as_ref(), ip)?;
        let wait_ms: i64 = match &self.counts {
            Counts::Local => return Ok(()),
            Counts::Postgres(pool) => {
                let allowed: Option<i64> = sqlx::query_scalar(PG_GCRA)
                    .bind(&key)
                    .bind(now)
                    .bind(interval)
                    .bind(WINDOW_MS)
                    .fetch_optional(pool)
                    .await?;
                if allowed.is_some() {
                    return Ok(());
                }
                // Refused (rare): when the next one would be allowed.
                let tat: Option<i64> =
                    sqlx::query_scalar("SELECT tat FROM client_limits WHERE key = $1")
                        .bind(&key)
                        .fetch_optional(pool)
                        .await?;
                tat.map_or(interval, |tat| tat.max(now) + interval - now - WINDOW_MS)
            }
            Counts::Redis(pool) => {
                use tower_sessions_redis_store::fred::{
                    prelude::ClientLike,
                    types::{CustomCommand, Value},
                };
                let args: Vec<Value> = vec![
                    REDIS_GCRA.into(),
                    1.into(),
                    format!("sesame:limit:{key}").into(),
                    now.into(),
                    interval.into(),
                    WINDOW_MS.into(),
                ];
                pool.next()
                    .custom(CustomCommand::new_static("EVAL", None, false), args)
                    .await
                    .map_err(|err| {
                        tracing::warn!("Redis could not count a client's request: {err}");
                        AppError::Unavailable
                    })?
            }
        };
        if wait_ms <= 0 {
            return Ok(());
        }
        Err(AppError::RateLimited(
            u64::try_from(wait_ms).unwrap_or(0) / 1000 + 1,
        ))
    }

    /// Forgets clients whose allowance is full again; run now and then so
    /// a spray from many addresses does not keep its keys in memory (or
    /// rows in PostgreSQL; Redis expires its own).
    pub async fn prune(&self) -> Result<(), AppError> {
        for limiter in [&self.password_attempts, &self.new_sessions]
            .into_iter()
            .flatten()
        {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        if let Counts::Postgres(pool) = &self.counts {
            sqlx::query("DELETE FROM client_limits WHERE tat < $1")
                .bind(now_ms())
                .execute(pool)
                .await?;
        }
        Ok(())
    }
}

fn take(limiter: Option<&Limiter>, ip: IpAddr) -> Result<(), AppError> {
    let Some(limiter) = limiter else {
        return Ok(());
    };
    limiter.check_key(&bucket(ip)).map_err(|not_until| {
        let wait = not_until.wait_time_from(governor::clock::DefaultClock::default().now());
        AppError::RateLimited(wait.as_secs() + 1)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(
                axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    const XFF: ClientIpHeader = ClientIpHeader::XForwardedFor;

    #[test]
    fn forwarded_headers_are_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let xff = headers(&[("x-forwarded-for", "203.0.113.9")]);
        // From the proxy: the address it names.
        assert_eq!(
            client_ip(ip("10.0.0.2"), &xff, &trusted, XFF),
            ip("203.0.113.9")
        );
        // From anyone else: the peer, whatever it says.
        assert_eq!(
            client_ip(ip("198.51.100.7"), &xff, &trusted, XFF),
            ip("198.51.100.7")
        );
        assert_eq!(client_ip(ip("10.0.0.2"), &xff, &[], XFF), ip("10.0.0.2"));
    }

    #[test]
    fn the_nearest_untrusted_hop_is_the_client() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // The client wrote "1.1.1.1" itself; the proxies appended the rest.
        let xff = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9, 10.0.0.5")]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &xff, &trusted, XFF),
            ip("203.0.113.9")
        );
        // Two headers count as one list.
        let two = headers(&[
            ("x-forwarded-for", "1.1.1.1"),
            ("x-forwarded-for", "203.0.113.9:5000"),
        ]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &two, &trusted, XFF),
            ip("203.0.113.9")
        );
        // Garbage nearest to us: the last address a proxy vouched for.
        let junk = headers(&[("x-forwarded-for", "203.0.113.9, not-an-ip")]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &junk, &trusted, XFF),
            ip("10.0.0.2")
        );
    }

    #[test]
    fn the_forwarded_header_is_read_when_it_is_the_one() {
        let trusted: Vec<IpNet> = vec!["127.0.0.1/32".parse().unwrap()];
        let fwd = headers(&[(
            "forwarded",
            "for=192.0.2.60;proto=http, for=\"[2001:db8:cafe::17]:4711\";by=127.0.0.1",
        )]);
        assert_eq!(
            client_ip(ip("127.0.0.1"), &fwd, &trusted, ClientIpHeader::Forwarded),
            ip("2001:db8:cafe::17")
        );
    }

    /// Behind a proxy that writes `X-Forwarded-For`, a `Forwarded` the
    /// client sent (passed on untouched) names nobody, and the other way
    /// round.
    #[test]
    fn only_the_header_the_proxy_writes_is_read() {
        let trusted: Vec<IpNet> = vec!["127.0.0.1/32".parse().unwrap()];
        let both = headers(&[
            ("forwarded", "for=198.51.100.99"),
            ("x-forwarded-for", "203.0.113.9"),
        ]);
        let proxy = ip("127.0.0.1");
        assert_eq!(client_ip(proxy, &both, &trusted, XFF), ip("203.0.113.9"));
        assert_eq!(
            client_ip(proxy, &both, &trusted, ClientIpHeader::Forwarded),
            ip("198.51.100.99")
        );
        let forged = headers(&[("forwarded", "for=198.51.100.99")]);
        assert_eq!(client_ip(proxy, &forged, &trusted, XFF), proxy);
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_64() {
        assert_eq!(bucket(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(bucket(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
        assert_eq!(bucket(ip("192.0.2.1")), ip("192.0.2.1"));
    }

    /// A burst from many threads at once gets exactly the allowance.
    #[test]
    fn a_burst_at_once_gets_exactly_the_allowance() {
        let limits = Arc::new(ClientLimits::new(
            ClientRates {
                password_attempts: NonZeroU32::new(30),
                new_sessions: None,
            },
            Counts::Local,
        ));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let limits = limits.clone();
                std::thread::spawn(move || {
                    (0..50)
                        .filter(|_| {
                            take(limits.password_attempts.as_ref(), ip("192.0.2.1")).is_ok()
                        })
                        .count()
                })
            })
            .collect();
        let passed: usize = threads.into_iter().map(|t| t.join().unwrap()).sum();
        // 30 at once, plus at most one refilled while the threads ran.
        assert!((30..=31).contains(&passed), "{passed}");
        // Another client is untouched; no limit means no limit.
        assert!(take(limits.password_attempts.as_ref(), ip("192.0.2.2")).is_ok());
        assert!(take(limits.new_sessions.as_ref(), ip("192.0.2.1")).is_ok());
        match take(limits.password_attempts.as_ref(), ip("192.0.2.1")) {
            Err(AppError::RateLimited(seconds)) => assert!((1..=3).contains(&seconds)),
            other => panic!("{other:?}"),
        }
    }
}
