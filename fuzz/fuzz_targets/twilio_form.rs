//! libFuzzer entry point for [`keepwarm_fuzz::twilio_form`].
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| keepwarm_fuzz::twilio_form(data));
