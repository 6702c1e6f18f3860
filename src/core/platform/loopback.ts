// The one answer to "is this host this machine?". Plain http and no credentials are allowed only
// to such a host (the local emulator), and an untrusted workspace may point the clients nowhere
// else; every client must draw that line in the same place.

/** `host` as URL.hostname gives it (IPv6 in brackets) or bare. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  return name === 'localhost' || name === '::1' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}
