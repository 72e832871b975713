"""What an operator's tools watch `flexibatch watch` by: Prometheus metrics, /healthz, systemd."""
