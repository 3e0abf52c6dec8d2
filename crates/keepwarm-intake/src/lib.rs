//! keepwarm's intake formats, turned into normalized lead documents. (Being built.)
#![forbid(unsafe_code)]
