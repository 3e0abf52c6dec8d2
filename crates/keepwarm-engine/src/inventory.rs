//! Importing the dealership's inventory feed: it replaces what the store held, so that a vehicle
//! sold since the last import can no longer be said to be "here".

use keepwarm_domain::inventory::StockItem;

use crate::{Engine, Result};

impl Engine {
    /// Replaces the inventory of `dealership` (the only one when `None`) with `items`. Returns how
    /// many vehicles are available.
    pub async fn import_inventory(
        &self,
        dealership: Option<&str>,
        items: &[StockItem],
    ) -> Result<usize> {
        let dealership = self.dealership_named(dealership)?;
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
