//! libFuzzer entry point for [`keepwarm_fuzz::classify`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keepwarm_fuzz::classify(data));
