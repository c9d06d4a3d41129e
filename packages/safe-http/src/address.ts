import { isIPv4, isIPv6 } from "node:net";

/**
 * What kind of address an IP is, for the outbound-request guard. Everything except
 * `public` is refused unless the operator allows private networks.
 */
export type AddressClass =
  | "public"
  | "loopback"
  | "private"
  | "link_local"
  | "shared"
  | "unique_local"
  | "unspecified"
  | "multicast"
  | "reserved"
  | "invalid";

interface Range4 {
  base: number;
  bits: number;
  kind: AddressClass;
}

const range4 = (cidr: string, kind: AddressClass): Range4 => {
  const [base = "", bits = "32"] = cidr.split("/");
  return { base: ipv4ToNumber(base), bits: Number(bits), kind };
};

/** IANA special-purpose IPv4 registry, the parts that must never be reached by default. */
const IPV4_RANGES: Range4[] = [
  range4("0.0.0.0/8", "unspecified"),
  range4("10.0.0.0/8", "private"),
  range4("100.64.0.0/10", "shared"),
  range4("127.0.0.0/8", "loopback"),
  range4("169.254.0.0/16", "link_local"),
  range4("172.16.0.0/12", "private"),
  range4("192.0.0.0/24", "reserved"),
  range4("192.0.2.0/24", "reserved"),
  range4("192.88.99.0/24", "reserved"),
  range4("192.168.0.0/16", "private"),
  range4("198.18.0.0/15", "reserved"),
  range4("198.51.100.0/24", "reserved"),
  range4("203.0.113.0/24", "reserved"),
  range4("224.0.0.0/4", "multicast"),
  range4("240.0.0.0/4", "reserved"),
];

function ipv4ToNumber(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function classifyIpv4(value: number): AddressClass {
  for (const r of IPV4_RANGES) {
    const size = 2 ** (32 - r.bits);
    if (value >= r.base && value < r.base + size) {
      return r.kind;
    }
  }
  return "public";
}

/** Parses an IPv6 text (zone id allowed, embedded dotted IPv4 allowed) into 8 hextets. */
function ipv6ToHextets(ip: string): number[] {
  let text = ip.split("%")[0] ?? "";
  const lastColon = text.lastIndexOf(":");
  const last = text.slice(lastColon + 1);
  if (last.includes(".")) {
    // Rewrite the dotted tail (::ffff:127.0.0.1) as two hextets (::ffff:7f00:1).
    const v4 = ipv4ToNumber(last);
    text = `${text.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const parse = (s: string) =>
    s === "" ? [] : s.split(":").map((h) => parseInt(h, 16));
  const [head = "", rest] = text.split("::");
  if (rest === undefined) {
    return parse(head);
  }
  const left = parse(head);
  const right = parse(rest);
  return [
    ...left,
    ...Array<number>(8 - left.length - right.length).fill(0),
    ...right,
  ];
}

function classifyIpv6(h: number[]): AddressClass {
  const at = (i: number) => h[i] ?? 0;
  const v4At = (i: number) => at(i) * 65536 + at(i + 1);
  const zeroUpTo = (n: number) => h.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) {
    return "unspecified";
  }
  if (zeroUpTo(7) && at(7) === 1) {
    return "loopback";
  }
  // ::ffff:a.b.c.d (IPv4-mapped) and 64:ff9b::a.b.c.d (NAT64) reach the embedded IPv4.
  if (zeroUpTo(5) && at(5) === 0xffff) {
    return classifyIpv4(v4At(6));
  }
  // ::ffff:0:a.b.c.d (IPv4-translated, RFC 6145) is translated to that IPv4 by SIIT gateways.
  if (zeroUpTo(4) && at(4) === 0xffff && at(5) === 0) {
    return classifyIpv4(v4At(6));
  }
  if (
    at(0) === 0x64 &&
    at(1) === 0xff9b &&
    h.slice(2, 6).every((x) => x === 0)
  ) {
    return classifyIpv4(v4At(6));
  }
  // 6to4 (2002::/16) embeds an IPv4 in bits 16..47.
  if (at(0) === 0x2002) {
    return classifyIpv4(v4At(1));
  }
  if (zeroUpTo(6)) {
    return "reserved"; // deprecated IPv4-compatible ::a.b.c.d
  }
  const first = at(0);
  if ((first & 0xfe00) === 0xfc00) {
    return "unique_local";
  }
  if ((first & 0xffc0) === 0xfe80) {
    return "link_local";
  }
  if ((first & 0xffc0) === 0xfec0) {
    return "private"; // deprecated site-local
  }
  if ((first & 0xff00) === 0xff00) {
    return "multicast";
  }
  const reserved =
    (first === 0x64 && at(1) === 0xff9b && at(2) === 1) || // local-use NAT64
    (first === 0x100 && at(1) === 0 && at(2) === 0 && at(3) === 0) || // discard-only
    (first === 0x2001 && at(1) === 0xdb8) || // documentation
    (first === 0x2001 && at(1) === 0) || // Teredo embeds an obfuscated IPv4
    first === 0x3fff; // documentation (RFC 9637)
  return reserved ? "reserved" : "public";
}

/** Classifies an IP literal (IPv4, IPv6, with or without brackets / zone id). */
export function classifyAddress(ip: string): AddressClass {
  const bare = ip.startsWith("[") && ip.endsWith("]") ? ip.slice(1, -1) : ip;
  if (isIPv4(bare)) {
    return classifyIpv4(ipv4ToNumber(bare));
  }
  if (isIPv6(bare)) {
    return classifyIpv6(ipv6ToHextets(bare));
  }
  return "invalid";
}

/** True for every address that is not plainly public (loopback, RFC 1918, link-local, ...). */
export function isPrivateAddress(ip: string): boolean {
  return classifyAddress(ip) !== "public";
}
