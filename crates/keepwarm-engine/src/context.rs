//! What the engine knows about a lead when it writes to or plans for them: the language to write in
//! (the lead document's, else that of the customer's comments as the classifier reads them), and
//! the message context and contact window, which keepwarm-domain works out
//! ([`keepwarm_domain::machine::context`]).

use keepwarm_classify::Classifier;
use keepwarm_domain::config::{Config, Dealership};
use keepwarm_domain::lead::LeadInput;

pub use keepwarm_domain::machine::context::{message_context, vehicle_name, window_for, zones_for};

/// The language the customer's comments on a lead are written in, as the classifier reads them.
pub fn comments_language(lead: &LeadInput, classifier: &Classifier) -> Option<&'static str> {
    lead.comments
        .as_deref()
        .map(|c| classifier.classify(c).language.as_str())
}

/// The language to write to a lead in: the lead document's, else the language of the customer's
/// own words on it (their comments, as the reply classifier reads them), else the dealership's.
pub fn language_for(
    lead: &LeadInput,
    config: &Config,
    dealership: &Dealership,
    classifier: &Classifier,
) -> String {
    keepwarm_domain::machine::context::language_for(
        lead,
        config,
        dealership,
        comments_language(lead, classifier),
    )
}
