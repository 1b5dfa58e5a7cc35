/** What the estate assumes about services the cluster shares with it (monitoring stack, ingress controller). */

/** Namespace of the cluster's monitoring stack (Prometheus, Alertmanager, Pushgateway, blackbox exporter). */
export const DEFAULT_MONITORING_NAMESPACE = "monitoring";

/** Helm release name of the cluster's kube-prometheus-stack; its default monitor selectors match `release: <name>`. */
export const DEFAULT_PROMETHEUS_RELEASE = "kube-prometheus-stack";
