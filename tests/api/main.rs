//! HTTP tests against the real server on a free loopback port.
mod cookies;
mod helpers;
mod pages;
