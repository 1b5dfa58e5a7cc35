import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { SecretEntry } from "./secret-store";

export interface GeneratedSecretSpec {
    /** Id in the secret store, kebab-case. */
    readonly id: string;
    /** Length of the random value. @default 48 */
    readonly length?: number;
    /** Allow punctuation; off for values that end up in URLs or headers. @default false */
    readonly special?: boolean;
}

export interface GeneratedSecretsArgs {
    readonly secrets: readonly GeneratedSecretSpec[];
    /** Generation per secret id: raising one replaces that secret's random value. @default 1 for all */
    readonly rotation?: Readonly<Record<string, number>>;
    /** Values supplied from encrypted stack config instead of generated. @default none */
    readonly provided?: Readonly<Record<string, pulumi.Input<string>>>;
    /** Keep the values through accidental deletes (prod). @default false */
    readonly protect?: boolean;
}

/** High-entropy credentials generated with @pulumi/random; values exist only as Pulumi secrets. */
export class GeneratedSecrets extends pulumi.ComponentResource {
    readonly entries: readonly SecretEntry[];

    constructor(name: string, args: GeneratedSecretsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("estate:secrets:GeneratedSecrets", name, {}, opts);
        const rotation = args.rotation ?? {};
        for (const id of Object.keys(rotation)) {
            if (!args.secrets.some((s) => s.id === id) && !(args.provided && id in args.provided)) {
                throw new pulumi.ResourceError(
                    `\`rotation\` names unknown secret "${id}"; known: ${args.secrets.map((s) => s.id).join(", ")}`,
                    this,
                );
            }
        }
        const generated = args.secrets.map((spec) => {
            const password = new random.RandomPassword(
                `${name}-${spec.id}`,
                {
                    length: spec.length ?? 48,
                    special: spec.special ?? false,
                    // A new generation changes the keeper, which replaces the value: that is rotation.
                    keepers: { generation: String(rotation[spec.id] ?? 1) },
                },
                { parent: this, protect: args.protect ?? false },
            );
            return { id: spec.id, value: pulumi.secret(password.result) };
        });
        const provided = Object.entries(args.provided ?? {}).map(([id, value]) => ({
            id,
            value: pulumi.secret(pulumi.output(value)),
        }));
        this.entries = [...generated, ...provided];
        this.registerOutputs({ secretIds: this.entries.map((e) => e.id) });
    }
}
