//! HTTP tests against the real server on a free loopback port.
mod access;
mod activity;
mod auth;
mod cookies;
mod delivery;
mod devices;
mod errors;
mod floods;
mod helpers;
mod how_it_works;
mod instances;
mod lifecycle;
mod malformed;
mod operations;
mod outage;
mod pages;
mod sessions;
