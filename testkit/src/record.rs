//! Recording real traffic into fixtures.
