/** What the estate assumes about services the cluster shares with it (monitoring stack, ingress controller). */

/** Helm release name of the cluster's kube-prometheus-stack; its default monitor selectors match `release: <name>`. */
export const DEFAULT_PROMETHEUS_RELEASE = "kube-prometheus-stack";
