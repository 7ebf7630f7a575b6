//! [ssr] argon2id hashing and verification, off the async runtime.
//!
//! The queue in front of the threads is bounded: when it is full a request
//! is answered `503` at once instead of waiting behind a flood it cannot
//! see the end of, and a job whose request has gone (timed out, client
//! disconnected) is dropped unverified, so a spray of logins stops costing
//! work the moment it stops.
//!
//! On a few threads of their own (one per core), not tokio's blocking pool:
//! the blocking pool runs each hash on whichever of up to 512 threads is
//! free, and every one of them keeps its own malloc arena with a 19 MiB
//! block in it. A login storm took sesame's RSS past 500 MiB that way; with
//! fixed threads the blocks are reused (bench/compare reports RSS).
use crate::{error::AppError, users::validate::Password};
use argon2::{
    password_hash::{rand_core::OsRng, Output, PasswordHash, SaltString},
    Algorithm, Argon2, Block, Params, Version,
};
use std::cell::RefCell;
use std::sync::{mpsc, Arc, Mutex};
use tokio::sync::Semaphore;

/// OWASP's argon2id parameters: 19 MiB, 2 passes, 1 lane.
const MEMORY_KIB: u32 = 19_456;
const PASSES: u32 = 2;
const LANES: u32 = 1;

type Job = Box<dyn FnOnce() + Send>;

/// Hashes and verifies passwords on its own threads, one per core, so a
/// login storm queues there and cannot starve the requests that only read.
#[derive(Clone)]
pub struct Hasher {
    jobs: mpsc::Sender<Job>,
    /// Verified against when the username is unknown, so an unknown user
    /// costs the same work as a wrong password.
    dummy_hash: Arc<str>,
    /// A place for each job that may be queued or running: taken before a
    /// job is sent, given back when it is done, dropped unrun or never sent.
    places: Arc<Semaphore>,
    capacity: usize,
    /// Where each job's time (queue wait included) is recorded, when
    /// metrics are on.
    timing: Option<prometheus::Histogram>,
}

fn params() -> Params {
    // The parameters are constants within argon2's limits.
    Params::new(MEMORY_KIB, PASSES, LANES, None).unwrap_or_default()
}

thread_local! {
    /// argon2's 19 MiB of working memory, kept by each password thread.
    /// argon2's own `hash_password`/`verify_password` allocate it afresh on
    /// every call, and glibc's malloc hands back new pages each time: RSS
    /// grew by 19 MiB per login until the process sat at 250+ MiB.
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// The argon2id hash of `password` with `salt` and `params`, into `out`,
/// in this thread's reused working memory.
fn compute(
    password: &[u8],
    salt: &[u8],
    params: Params,
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    MEMORY.with(|memory| {
        let mut memory = memory.borrow_mut();
        let blocks = params.block_count();
        if memory.len() < blocks {
            memory.resize(blocks, Block::default());
        }
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params).hash_password_into_with_memory(
            password,
            salt,
            out,
            &mut memory[..blocks],
        )
    })
}

fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    use argon2::password_hash::Error;
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let params = params();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    compute(password.as_bytes(), salt_bytes, params.clone(), &mut out).map_err(Error::from)?;
    let hash = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: (&params).try_into()?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out)?),
    };
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `hash` (argon2id only); the
/// comparison of the outputs is constant-time (`Output`'s `PartialEq`).
fn verify_blocking(password: &str, hash: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    if parsed.algorithm != argon2::ARGON2ID_IDENT {
        return false;
    }
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    compute(password.as_bytes(), salt_bytes, params, &mut out).is_ok()
        && Output::new(&out).is_ok_and(|actual| actual == expected)
}

impl Hasher {
    /// Computes the dummy hash once; call at start-up. Up to `queue` jobs
    /// wait while every thread is busy.
    pub fn new(queue: usize) -> anyhow::Result<Self> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self::with_threads(cores, queue)
    }

    fn with_threads(threads: usize, waiting: usize) -> anyhow::Result<Self> {
        let cores = threads.max(1);
        let dummy_hash = hash_blocking("sesame-dummy-password")
            .map_err(|e| anyhow::anyhow!("argon2 does not work here: {e}"))?;
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..cores {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || loop {
                    // The lock is held only to take the next job. The queue
                    // ends when every Hasher is gone.
                    let job = match queue.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => return,
                    };
                    match job {
                        // A panicking job loses its answer, not the thread.
                        Ok(job) => {
                            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                        }
                        Err(_) => return,
                    }
                })?;
        }
        Ok(Self {
            jobs,
            dummy_hash: dummy_hash.into(),
            places: Arc::new(Semaphore::new(cores + waiting)),
            capacity: cores + waiting,
            timing: None,
        })
    }

    /// Records each job's time in `histogram`.
    pub fn timed(mut self, histogram: Option<prometheus::Histogram>) -> Self {
        self.timing = histogram;
        self
    }

    /// Jobs queued or running now.
    pub fn pending(&self) -> usize {
        self.capacity - self.places.available_permits()
    }

    pub async fn hash(&self, password: Password) -> Result<String, AppError> {
        self.run(move || hash_blocking(password.expose()))
            .await?
            .map_err(|e| {
                tracing::error!("hashing a password failed: {e}");
                AppError::Internal
            })
    }

    /// Whether `password` matches `hash`; with no hash (unknown user) the
    /// same work is done against the dummy and the answer is `false`.
    pub async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, AppError> {
        let known = hash.is_some();
        let hash = hash.map_or_else(|| self.dummy_hash.to_string(), str::to_owned);
        let password = password.to_owned();
        let matches = self.run(move || verify_blocking(&password, &hash)).await?;
        Ok(known && matches)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        // Taken with one atomic step, so a burst cannot overfill the queue.
        let Ok(place) = self.places.clone().try_acquire_owned() else {
            tracing::warn!("password queue full; answering 503");
            return Err(AppError::Busy);
        };
        let queued = std::time::Instant::now();
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // The request was dropped (timed out, disconnected) while this
            // waited: nobody would read the answer.
            if done.is_closed() {
                return;
            }
            let answer = work();
            // Free the place before answering: the caller may send its next
            // job the moment it has this answer.
            drop(place);
            let _ = done.send(answer);
        });
        self.jobs.send(job).map_err(|_| {
            tracing::error!("the password threads are gone");
            AppError::Internal
        })?;
        let answer = result.await.map_err(|_| {
            tracing::error!("a password job ended without an answer");
            AppError::Internal
        });
        if let Some(timing) = &self.timing {
            timing.observe(queued.elapsed().as_secs_f64());
        }
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_is_argon2id_with_the_owasp_parameters_and_verifies() {
        let hasher = Hasher::new(4).unwrap();
        let hash = hasher
            .hash(Password::parse("correct horse").unwrap())
            .await
            .unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(hasher.verify("correct horse", Some(&hash)).await.unwrap());
        assert!(!hasher.verify("wrong horse!", Some(&hash)).await.unwrap());
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        let hasher = Hasher::new(4).unwrap();
        assert!(!hasher.verify("sesame-dummy-password", None).await.unwrap());
    }

    /// One thread, a queue of two: a burst of ten at once gets three places
    /// (one running, two waiting) and seven 503s, none of them late; the
    /// queue is free again afterwards.
    #[tokio::test]
    async fn a_full_queue_answers_busy_at_once() {
        let hasher = Hasher::with_threads(1, 2).unwrap();
        let slow = |hasher: Hasher| async move {
            hasher
                .run(|| std::thread::sleep(std::time::Duration::from_millis(300)))
                .await
        };
        let started = std::time::Instant::now();
        let burst: Vec<_> = (0..10)
            .map(|_| tokio::spawn(slow(hasher.clone())))
            .collect();
        let mut ok = 0;
        let mut busy = 0;
        for job in burst {
            match job.await.unwrap() {
                Ok(()) => ok += 1,
                Err(AppError::Busy) => busy += 1,
                Err(other) => panic!("{other:?}"),
            }
        }
        assert_eq!((ok, busy), (3, 7));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(hasher.pending(), 0);
        assert!(hasher.verify("x", None).await.is_ok());
    }

    /// A job whose caller gave up is not run.
    #[tokio::test]
    async fn a_job_whose_caller_has_gone_is_dropped_unrun() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let hasher = Hasher::with_threads(1, 4).unwrap();
        let blocker = tokio::spawn({
            let hasher = hasher.clone();
            async move {
                hasher
                    .run(|| std::thread::sleep(std::time::Duration::from_millis(300)))
                    .await
            }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let ran = Arc::new(AtomicBool::new(false));
        let waiting = {
            let ran = ran.clone();
            let hasher = hasher.clone();
            async move { hasher.run(move || ran.store(true, Ordering::SeqCst)).await }
        };
        // The caller gives up while the job waits behind the blocker.
        let gave_up = tokio::time::timeout(std::time::Duration::from_millis(50), waiting).await;
        assert!(gave_up.is_err());
        blocker.await.unwrap().unwrap();
        // A later job runs after the dropped one would have.
        hasher.run(|| ()).await.unwrap();
        assert!(!ran.load(Ordering::SeqCst), "the abandoned job ran");
        assert_eq!(hasher.pending(), 0);
    }

    #[test]
    fn hashes_are_interchangeable_with_argon2s_own() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let standard = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        // A hash made by argon2 itself (every stored hash so far) verifies ...
        let salt = SaltString::generate(&mut OsRng);
        let theirs = standard
            .hash_password(b"correct horse", &salt)
            .unwrap()
            .to_string();
        assert!(verify_blocking("correct horse", &theirs));
        assert!(!verify_blocking("correct horsf", &theirs));
        // ... and ours verifies with argon2's own verifier.
        let ours = hash_blocking("battery staple").unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(standard.verify_password(b"battery staple", &parsed).is_ok());
        assert!(standard.verify_password(b"battery stapl", &parsed).is_err());
        // Not argon2id, or not a hash at all: never a match.
        assert!(!verify_blocking(
            "x",
            "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA"
        ));
        assert!(!verify_blocking("x", "not a hash"));
    }
}
