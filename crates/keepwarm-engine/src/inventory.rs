//! Importing the dealership's inventory feed: it replaces what the store held, so that a vehicle
//! sold since the last import can no longer be said to be "here".

use keepwarm_domain::inventory::StockItem;

use crate::{Engine, EngineError, Result};

impl Engine {
    /// Replaces the inventory of `dealership` (the only one when `None`) with `items`. Returns how
    /// many vehicles are available.
    pub async fn import_inventory(
        &self,
        dealership: Option<&str>,
        items: &[StockItem],
    ) -> Result<usize> {
        let config = self.config();
        let dealership = config.dealership(dealership).ok_or_else(|| {
            let known: Vec<&str> = config.dealerships.iter().map(|d| d.id.as_str()).collect();
            EngineError::field(
                "dealership",
                format!(
                    "unknown dealership `{}` (known: {})",
                    dealership.unwrap_or_default(),
                    known.join(", ")
                ),
            )
        })?;
        let rows: Vec<(String, bool)> = items
            .iter()
            .flat_map(|i| i.keys.iter().map(|k| (k.clone(), i.available)))
            .collect();
        self.store()
            .replace_inventory(&dealership.id, &rows, self.now())
            .await?;
        Ok(items.iter().filter(|i| i.available).count())
    }
}
