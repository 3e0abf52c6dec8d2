//! Properties over arbitrary input: the parser never panics, and every
//! error that points into the document points inside it.

use keepwarm_adf::{parse_adf, ParseOptions};
use proptest::prelude::*;

use crate::helpers::fixture;

const CORPUS: &[&str] = &[
    "corpus/idknerdyshit_adf_1.xml",
    "corpus/idknerdyshit_adf_2.xml",
    "corpus/idknerdyshit_adf_3.xml",
    "corpus/idknerdyshit_adf_6.xml",
    "quirks/dealer_feed_full.xml",
    "quirks/upper_case_everything.xml",
];

fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    if let Err(err) = parse_adf(bytes, &ParseOptions::default()) {
        if let Some((line, column)) = err.position() {
            prop_assert!(line >= 1 && column >= 1, "{err}");
            // UTF-16 input can have fewer lines than its bytes suggest, never more.
            prop_assert!(line <= lines, "{err} but input has {lines} lines");
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check(&bytes)?;
    }

    #[test]
    fn xml_like_text_never_panics(text in "(<[/!?]?[a-zA-Z:]{0,6}( [a-z]{1,4}=['\"][^<]{0,6}['\"])?/?>|&[a-z#0-9]{0,5};?|<!\\[CDATA\\[|\\]\\]>|[a-z \n&<>]{0,8}){0,60}") {
        check(text.as_bytes())?;
    }

    #[test]
    fn mutated_corpus_documents_never_panic(
        which in 0..CORPUS.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = fixture(CORPUS[which]);
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        check(&bytes)?;
        let end = cut.index(bytes.len() + 1);
        check(&bytes[..end])?;
    }
}
