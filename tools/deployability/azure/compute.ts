/** A virtual machine's OS profile as Azure checks it when it provisions the machine. */
import type { CapturedResource } from "../../lib/mock-run";
import type { DeployabilityFinding, DeployabilityRule, PlanView } from "../rule";
import { builtFromOfType, finding, list, record } from "./plan";
import { disallowedValues, documentedLength, providerDoc } from "./provider-docs";

export const VM = "azure-native:compute:VirtualMachine";
const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";

/** The VM's OS, from its OS profile or its OS disk; undefined when only the image would tell. */
export function vmOs(inputs: Record<string, unknown>): "Linux" | "Windows" | undefined {
    const os = record(inputs["osProfile"]);
    if (os["linuxConfiguration"] !== undefined) return "Linux";
    if (os["windowsConfiguration"] !== undefined) return "Windows";
    const osType = record(record(inputs["storageProfile"])["osDisk"])["osType"];
    return osType === "Linux" || osType === "Windows" ? osType : undefined;
}

/**
 * The Linux VM FAQ (learn.microsoft.com/azure/virtual-machines/linux/faq, "What are the username
 * requirements when creating a VM?") keeps Linux user names to 1-32 characters, under the API's 64:
 * `useradd` refuses longer names, so provisioning would fail after ARM accepted the VM.
 */
export const LINUX_USERNAME_MAX = 32;

export const azureVmAdminUsername: DeployabilityRule = {
    id: "azure-vm-admin-username",
    source: '@pulumi/azure-native types/input.d.ts, compute.OSProfileArgs.adminUsername ("Disallowed values", lengths, Windows-only restriction); learn.microsoft.com/azure/virtual-machines/linux/faq (Linux user names 1-32 characters, the same disallowed names)',
    description: "Azure refuses a reserved admin user name (admin, root, user, …) or one outside the OS's length",
    check(plan) {
        const doc = providerDoc("compute", "OSProfileArgs", "adminUsername");
        const reserved = new Set(disallowedValues(doc).map((n) => n.toLowerCase()));
        return plan.ofType(VM).flatMap((vm) => {
            const inputs = plan.inputs(vm);
            if (inputs["osProfile"] === undefined) return [];
            const name = record(inputs["osProfile"])["adminUsername"];
            const os = vmOs(inputs);
            const at = "osProfile.adminUsername";
            if (name === undefined)
                return [finding(this.id, vm, at, null, "set an admin user name: a VM created from an image needs one")];
            if (typeof name !== "string") return [];
            if (reserved.has(name.toLowerCase()))
                return [finding(this.id, vm, at, name, `"${name}" is reserved by Azure: choose another name`)];
            const { max = Infinity } = os ? documentedLength(doc, os) : {};
            const limit = os === "Linux" ? Math.min(max, LINUX_USERNAME_MAX) : max;
            if (name.length < 1 || name.length > limit)
                return [finding(this.id, vm, at, name, `a ${os} admin user name is 1-${limit} characters`)];
            if (os === "Windows" && name.endsWith("."))
                return [finding(this.id, vm, at, name, "a Windows admin user name cannot end in a period")];
            return [];
        });
    },
};

/** The host name rules of "Naming rules and restrictions for Azure resources", Microsoft.Compute virtualMachines. */
const HOST_NAME_FORBIDDEN = /[\s\p{Cc}~!@#$%^&*()=+_[\]{}\\|;:'",<>/?]/u;
export const HOST_NAME_MAX = { Linux: 64, Windows: 15 } as const;

export function hostNameProblem(name: string, os: "Linux" | "Windows"): string | undefined {
    if (name.length < 1 || name.length > HOST_NAME_MAX[os])
        return `is ${name.length} characters; 1-${HOST_NAME_MAX[os]} allowed`;
    if (HOST_NAME_FORBIDDEN.test(name))
        return "has a space, control character or one of ~ ! @ # $ % ^ & * ( ) = + _ [ ] { } \\ | ; : ' \" , < > / ?";
    if (os === "Windows" && name.includes(".")) return "has a period";
    if (/[.-]$/.test(name)) return "ends with a period or hyphen";
    return undefined;
}

export const azureVmComputerName: DeployabilityRule = {
    id: "azure-vm-computer-name",
    source: "learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules, Microsoft.Compute virtualMachines (host name: 1-15 Windows, 1-64 Linux; no spaces, control characters or ~ ! @ # $ % ^ & * ( ) = + _ [ ] { } \\ | ; : . ' \" , < > / ?; Windows no period, Linux not ending with period or hyphen); @pulumi/azure-native compute.OSProfileArgs.computerName; ARM InvalidParameter \"Required parameter 'computerName' is missing (null)\" (hashicorp/terraform#7229)",
    description: "Azure refuses a host name (osProfile.computerName) outside the OS's length and characters",
    check(plan) {
        return plan.ofType(VM).flatMap((vm) => {
            const inputs = plan.inputs(vm);
            const name = record(inputs["osProfile"])["computerName"];
            const os = vmOs(inputs);
            if (inputs["osProfile"] !== undefined && name === undefined)
                return [
                    finding(
                        this.id,
                        vm,
                        "osProfile.computerName",
                        null,
                        "set the host name: ARM requires computerName with an OS profile",
                    ),
                ];
            if (typeof name !== "string" || !os) return [];
            const problem = hostNameProblem(name, os);
            if (!problem) return [];
            return [
                finding(
                    this.id,
                    vm,
                    "osProfile.computerName",
                    name,
                    `the ${os} host name ${problem}: use letters, digits and hyphens`,
                ),
            ];
        });
    },
};

/** Three of lower case, upper case, digit and special character (`[\W_]`), as compute.OSProfileArgs.adminPassword says. */
function characterClasses(password: string): number {
    return [/[a-z]/, /[A-Z]/, /\d/, /[\W_]/].filter((re) => re.test(password)).length;
}

/** What is wrong with the password Azure would receive, without saying what it is. */
function passwordProblem(plan: PlanView, vm: CapturedResource, password: unknown, os: "Linux" | "Windows") {
    const doc = providerDoc("compute", "OSProfileArgs", "adminPassword");
    const { min = 1, max = Infinity } = documentedLength(doc, os);
    // A generated password is judged by its generator: the offline run only has a stand-in value.
    const generators = builtFromOfType(plan, vm, "osProfile", RANDOM_PASSWORD);
    if (generators.length > 0)
        return generators.flatMap((g) => {
            const inputs = plan.inputs(g);
            const length = Number(inputs["length"]);
            const classes = ["lower", "upper", "numeric", "special"].filter((c) => inputs[c] !== false).length;
            if (length < min || length > max)
                return [`${g.name} generates ${length} characters; ${min}-${max} allowed`];
            if (classes < 3)
                return [
                    `${g.name} draws from ${classes} character classes; Azure needs 3 of lower, upper, digit, special`,
                ];
            return [];
        })[0];
    if (typeof password !== "string") return undefined;
    if (password.length < min || password.length > max)
        return `it is ${password.length} characters; ${min}-${max} allowed`;
    if (disallowedValues(doc).includes(password)) return "it is on Azure's list of disallowed passwords";
    if (characterClasses(password) < 3) return "it needs 3 of lower case, upper case, digit and special character";
    return undefined;
}

export const azureVmLinuxAuthentication: DeployabilityRule = {
    id: "azure-vm-linux-authentication",
    source: '@pulumi/azure-native types/input.d.ts, compute.LinuxConfigurationArgs / SshPublicKeyArgs / OSProfileArgs.adminPassword (lengths, 3 of 4 classes, disallowed values); ARM InvalidParameter on linuxConfiguration.ssh.publicKeys.path: "Destination path for SSH public keys is currently limited to its default value /home/<user>/.ssh/authorized_keys" (MicrosoftDocs/azure-docs#11471, Azure/azure-cli#12459)',
    description:
        "A Linux VM without a usable login (no key with password authentication off, no valid password with it on) or with a key outside /home/<user>/.ssh is refused",
    check(plan) {
        return plan.ofType(VM).flatMap((vm) => {
            const inputs = plan.inputs(vm);
            const os = record(inputs["osProfile"]);
            if (vmOs(inputs) !== "Linux" || inputs["osProfile"] === undefined) return [];
            const linux = record(os["linuxConfiguration"]);
            const keys = list(record(linux["ssh"])["publicKeys"]).map(record);
            const user = os["adminUsername"];
            const found: DeployabilityFinding[] = [];
            const at = "osProfile.linuxConfiguration";
            if (linux["disablePasswordAuthentication"] === true) {
                if (keys.length === 0)
                    found.push(
                        finding(
                            this.id,
                            vm,
                            `${at}.ssh.publicKeys`,
                            [],
                            "password authentication is off: add an ssh.publicKeys entry (keyData, path /home/<user>/.ssh/authorized_keys)",
                        ),
                    );
                if (os["adminPassword"] !== undefined)
                    found.push(
                        finding(
                            this.id,
                            vm,
                            "osProfile.adminPassword",
                            "[secret]",
                            "password authentication is off: remove adminPassword (it could never be used)",
                        ),
                    );
            } else if (os["adminPassword"] === undefined) {
                found.push(
                    finding(
                        this.id,
                        vm,
                        `${at}.disablePasswordAuthentication`,
                        linux["disablePasswordAuthentication"] ?? null,
                        "set disablePasswordAuthentication: true with ssh.publicKeys, or give an adminPassword",
                    ),
                );
            } else {
                const problem = passwordProblem(plan, vm, os["adminPassword"], "Linux");
                if (problem)
                    found.push(
                        finding(
                            this.id,
                            vm,
                            "osProfile.adminPassword",
                            "[secret]",
                            `the admin password is refused: ${problem}`,
                        ),
                    );
            }
            keys.forEach((key, i) => {
                if (typeof key["keyData"] !== "string" || key["keyData"].trim() === "")
                    found.push(
                        finding(
                            this.id,
                            vm,
                            `${at}.ssh.publicKeys[${i}].keyData`,
                            key["keyData"] ?? null,
                            "give the public key (OpenSSH format)",
                        ),
                    );
                const expected = `/home/${String(user)}/.ssh/authorized_keys`;
                if (typeof user === "string" && key["path"] !== undefined && key["path"] !== expected)
                    found.push(
                        finding(
                            this.id,
                            vm,
                            `${at}.ssh.publicKeys[${i}].path`,
                            key["path"],
                            `the key's path must be ${expected}`,
                        ),
                    );
            });
            return found;
        });
    },
};

/** `The maximum length of the binary array is N bytes.` of compute.OSProfileArgs.customData. */
export function customDataMaxBytes(): number {
    const max = /maximum length of the binary array is (\d+) bytes/.exec(
        providerDoc("compute", "OSProfileArgs", "customData"),
    )?.[1];
    if (!max) throw new Error("compute.OSProfileArgs.customData states no maximum length");
    return Number(max);
}

export const azureVmCustomData: DeployabilityRule = {
    id: "azure-vm-custom-data",
    source: '@pulumi/azure-native types/input.d.ts, compute.OSProfileArgs.customData ("a base-64 encoded string … The maximum length of the binary array is 65535 bytes")',
    description:
        "Azure refuses custom data (cloud-init) that is not base64 or decodes to more than the documented maximum",
    check(plan) {
        const maxBytes = customDataMaxBytes();
        return plan.ofType(VM).flatMap((vm) => {
            const data = record(plan.inputs(vm)["osProfile"])["customData"];
            if (data === undefined) return [];
            const at = "osProfile.customData";
            // Never echo the data itself: the doc warns against secrets in it, and programs put them there anyway.
            const compact = typeof data === "string" ? data.replace(/\s/g, "") : "";
            if (typeof data !== "string" || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact))
                return [
                    finding(
                        this.id,
                        vm,
                        at,
                        `<${String(data).length} characters, not base64>`,
                        'base64-encode the cloud-init document (Buffer.from(text).toString("base64"))',
                    ),
                ];
            const bytes = Buffer.from(compact, "base64").length;
            if (bytes <= maxBytes) return [];
            return [
                finding(
                    this.id,
                    vm,
                    at,
                    `<${bytes} bytes decoded>`,
                    `custom data decodes to at most ${maxBytes} bytes: move the bulk to a file the VM fetches, or compress it (cloud-init reads gzip)`,
                ),
            ];
        });
    },
};
