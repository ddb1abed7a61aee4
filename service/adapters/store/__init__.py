"""MongoDB storage through Beanie: documents, repositories and the embedded store."""
