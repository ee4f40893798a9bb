// The two ways a remote lets a build down, which the build treats differently.

/** What the remote sent is not what it claimed (a wrong digest, a size over the declared one, a bad signature): that entry is refused, the remote stays in use. */
export class IntegrityError extends Error {
  override name = 'IntegrityError';
}

/** The remote is unreachable or misbehaving (as opposed to simply not having an entry). */
export class RemoteUnavailableError extends Error {
  override name = 'RemoteUnavailableError';
}
