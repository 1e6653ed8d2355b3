"""The provincial monitoring center: signed alert ingestion, alert stores, the school forwarder, the dashboard."""
