// @peculiar/x509 resolves its ASN.1 schemas through decorators, which need the metadata
// polyfill loaded first; importing x509 from here guarantees that order, whoever loads first.
import "reflect-metadata";

export * as x509 from "@peculiar/x509";
