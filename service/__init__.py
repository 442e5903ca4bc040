"""The server side's command line and process plumbing: `reports api|worker|migrate|schema|dev`,
the processes it starts and supervises, and the private Redis it can run."""
