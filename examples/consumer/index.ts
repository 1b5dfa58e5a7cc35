/**
 * A consumer of the estate's stack outputs: another team's Pulumi program reading the prod stack
 * through a StackReference and parsing each section it uses with the contract's schema, so a
 * renamed or retyped output fails its preview with the path instead of deploying `undefined`.
 *
 *     pulumi config set estateStack acme/estate/prod
 */
import * as pulumi from "@pulumi/pulumi";
import { OUTPUTS_CONTRACT_VERSION, parseOutputSection } from "../../stacks/outputs";

const config = new pulumi.Config();
const estate = new pulumi.StackReference(config.get("estateStack") ?? "acme/estate/prod");

// Check the major version first: a different one may have moved or retyped any key.
const version = estate.getOutput("contractVersion").apply((v) => {
    if (v !== OUTPUTS_CONTRACT_VERSION)
        throw new Error(`estate outputs contract v${String(v)}; this program reads v${OUTPUTS_CONTRACT_VERSION}`);
    return v as string;
});
// Lenient parse: keys the estate adds later are dropped, so this copy of the schema keeps working.
const services = pulumi
    .all([version, estate.getOutput("services")])
    .apply(([, value]) => parseOutputSection("services", value));
const secretNames = pulumi
    .all([version, estate.getOutput("secretNames")])
    .apply(([, value]) => parseOutputSection("secretNames", value));

export const apiUrl = services.apply((s) => s.api.url ?? s.api.internalUrl);
export const apiReadinessUrl = services.apply((s) => s.api.readinessUrl);
export const apiImage = services.apply((s) => s.api.image);
/** A name in the estate's secret store: this program reads the value from the store itself, with its own identity. */
export const jwtSecretName = secretNames.apply((names) => {
    const name = names["jwt-secret"];
    if (!name) throw new Error("the estate exports no `jwt-secret` in secretNames");
    return name;
});
