//! libFuzzer entry point for [`keepwarm_fuzz::adf`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keepwarm_fuzz::adf(data));
