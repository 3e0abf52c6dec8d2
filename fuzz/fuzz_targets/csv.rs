//! libFuzzer entry point for [`keepwarm_fuzz::csv`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keepwarm_fuzz::csv(data));
