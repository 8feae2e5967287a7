//! The Prometeu Play preparation driver.
