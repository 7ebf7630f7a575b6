//! [ssr] Checking what a person knows: passwords hashed with argon2id on a
//! bounded queue of threads (`password`), the attempt counter every secret
//! is judged through (`throttle`), and axum-login's backend (`backend`),
//! which finds a user by name and password and by id.
pub mod backend;
pub mod password;
pub mod throttle;
