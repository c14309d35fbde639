"""The settings window: profiles, provider fields, Application tab, import and export."""
