import { PolicyPack } from "@pulumi/policy";
import { allPolicies, packEnforcementLevel } from "./catalog";

// Constructing the pack starts its gRPC server, so nothing else may import this file.
new PolicyPack("estate", { policies: allPolicies, enforcementLevel: packEnforcementLevel });
