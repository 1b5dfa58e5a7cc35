import type { Unwrap } from "@pulumi/pulumi";
import type * as azInput from "@pulumi/azure-native/types/input";
import { ContainerView, DATA_COMPONENTS, isStoreImage, list, ProbeView, type Props, text } from "./lib";

export type AcaContainer = Unwrap<azInput.app.ContainerArgs>;
export type AcaIngress = Unwrap<azInput.app.IngressArgs>;

export const CONTAINER_APP = "azure-native:app:ContainerApp";
export const CONTAINER_APP_JOB = "azure-native:app:Job";
export const COMPONENT_TAG = "estate-component";
export const TIER_TAG = "estate-tier";
export const NAME_TAG = "estate-name";

/** Containers of a Container App or Container Apps job (both nest them under `template`). */
export function acaContainers(props: Props): Array<{ c: AcaContainer; view: ContainerView }> {
    const toView = (c: AcaContainer, init: boolean) => ({
        c,
        view: {
            name: c.name ?? "(unnamed)",
            image: c.image,
            init,
            env: (c.env ?? []).map((e) => ({
                name: e.name ?? "",
                value: e.value,
                byReference: e.secretRef !== undefined && e.secretRef !== "",
            })),
            argv: [...(c.command ?? []), ...(c.args ?? [])],
            liveness: probeOf(c, "liveness"),
            readiness: probeOf(c, "readiness"),
            startup: probeOf(c, "startup"),
        },
    });
    return [
        // The engine sends the provider's own shape for these; only their presence is unchecked.
        ...(list(props, "template", "initContainers") as readonly AcaContainer[]).map((c) => toView(c, true)),
        ...(list(props, "template", "containers") as readonly AcaContainer[]).map((c) => toView(c, false)),
    ];
}

function probeOf(c: AcaContainer, kind: string): ProbeView | undefined {
    const p = (c.probes ?? []).find((x) => (x.type ?? "").toLowerCase() === kind);
    return p ? { httpPath: p.httpGet?.path } : undefined;
}

/** Azure tag names cannot contain `/`, so the Kubernetes label keys become `estate-*` tags. */
export function isAcaDataStore(props: Props): boolean {
    if (
        DATA_COMPONENTS.includes(text(props, "tags", COMPONENT_TAG) ?? "") ||
        text(props, "tags", TIER_TAG) === "data"
    ) {
        return true;
    }
    return acaContainers(props).some(({ view }) => isStoreImage(view.image));
}

/** True for an IP range that admits the whole internet. */
export function isInternetRange(range: string | undefined): boolean {
    if (range === undefined) return false;
    const r = range.trim().toLowerCase();
    return r === "0.0.0.0/0" || r === "*" || r === "internet" || r === "any" || r === "::/0" || r === "0.0.0.0";
}
