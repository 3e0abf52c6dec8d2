//! libFuzzer entry point for [`keepwarm_fuzz::email`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keepwarm_fuzz::email(data));
