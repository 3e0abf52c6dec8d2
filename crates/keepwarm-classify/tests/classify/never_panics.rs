//! Arbitrary input never panics and always yields a well-formed result.

use keepwarm_classify::{Classifier, Intent};
use proptest::prelude::*;
use std::sync::OnceLock;

fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(Classifier::default_set)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        let got = classifier().classify(&text);
        prop_assert!(!got.intents.is_empty());
        prop_assert!(!got.intents.contains(&Intent::Other) || got.intents.len() == 1);
        for e in &got.explanations {
            prop_assert!(e.span.start <= e.span.end && e.span.end <= text.len());
            prop_assert_eq!(text.get(e.span.start..e.span.end), Some(e.matched.as_str()));
        }
    }

    #[test]
    fn reply_like_strings_never_panic(text in "[a-zA-Z ñáéíóú'’.!?¿¡,👍❤️\u{FE0F}\u{0301}$0-9-]{0,60}") {
        let got = classifier().classify(&text);
        prop_assert!(serde_json::to_string(&got).is_ok());
    }
}
