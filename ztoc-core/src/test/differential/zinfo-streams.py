"""Gzip layers for zinfo-vs-zlib.sh: tars of files from this machine (/usr/share, /usr/include, /usr/lib),
compressed by the compressors found on the PATH (gzip, pigz, libdeflate-gzip, bgzip, 7z), by Go's compress/gzip
if GO_GZIP names gzip-go.go built, and by Python's zlib with random levels, strategies, window sizes and flushes,
some as several members; a third are then cut short or have a bit flipped.
Prints one line per layer: PATH VARIANT (0 whole, 1 cut, 2 flipped).

Usage: zinfo-streams.py OUT_DIR COUNT SEED
"""
import io, os, random, shutil, subprocess, sys, tarfile, zlib
out_dir, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
R = random.Random(seed)
os.makedirs(out_dir, exist_ok=True)

pool = []
for top in ('/usr/share/doc', '/usr/include', '/usr/lib/jvm', '/usr/share/zoneinfo', '/usr/lib/x86_64-linux-gnu'):
    for d, _, fs in os.walk(top):
        for f in fs:
            p = os.path.join(d, f)
            if os.path.isfile(p) and not os.path.islink(p) and os.path.getsize(p) < 8 << 20:
                pool.append(p)
pool.sort()

def make_tar():
    bio = io.BytesIO()
    budget = R.choice([200_000, 1_000_000, 3_000_000, 8_000_000])
    with tarfile.open(fileobj=bio, mode='w', format=tarfile.PAX_FORMAT) as tf:
        total = 0
        while total < budget:
            p = R.choice(pool)
            try:
                tf.add(p, arcname=p.lstrip('/'), recursive=False)
                total += os.path.getsize(p) + 512
            except OSError:
                pass
    return bio.getvalue()

def tool(cmd, data):
    return subprocess.run(cmd, input=data, stdout=subprocess.PIPE, check=True).stdout

def python_zlib(data):
    members = R.choice([1, 1, 1, 2, 3])
    cuts = sorted(R.sample(range(1, len(data)), members - 1)) if members > 1 and len(data) > members else []
    out = b''
    for part in [data[a:b] for a, b in zip([0] + cuts, cuts + [len(data)])]:
        c = zlib.compressobj(R.randint(0, 9), zlib.DEFLATED, 16 + R.randint(9, 15), R.randint(1, 9),
                             R.choice([zlib.Z_DEFAULT_STRATEGY, zlib.Z_FILTERED, zlib.Z_HUFFMAN_ONLY, zlib.Z_RLE, zlib.Z_FIXED]))
        i = 0
        while i < len(part):
            k = R.randint(1, 300_000)
            out += c.compress(part[i:i + k])
            i += k
            if R.random() < 0.3:
                out += c.flush(R.choice([zlib.Z_SYNC_FLUSH, zlib.Z_FULL_FLUSH, zlib.Z_PARTIAL_FLUSH, zlib.Z_BLOCK]))
        out += c.flush()
    return out

compressors = [python_zlib]
if shutil.which('gzip'): compressors += [lambda d: tool(['gzip', '-c', '-%d' % R.randint(1, 9)], d)]
if shutil.which('pigz'):  # -11 is zopfli: slow, so on small tars only
    compressors += [lambda d: tool(['pigz', '-c', '-%d' % R.choice([0, 1, 6, 9] + ([11] if len(d) < 1_500_000 else [])),
                                    '-b', str(R.choice([32, 128, 512])), '-p', '2'] + R.choice([[], ['-i'], ['--rsyncable']]), d)]
if shutil.which('libdeflate-gzip'): compressors += [lambda d: tool(['libdeflate-gzip', '-c', '-%d' % R.randint(1, 12)], d)]
if shutil.which('bgzip'): compressors += [lambda d: tool(['bgzip', '-c', '-l', str(R.randint(0, 9))], d)]
if shutil.which('7z'): compressors += [lambda d: tool(['7z', 'a', '-tgzip', '-mx%d' % R.choice([1, 5, 9]), '-si', '-so', 'x'], d)]
if os.environ.get('GO_GZIP'):
    compressors += [lambda d: tool([os.environ['GO_GZIP'], str(R.choice([-2, 0, 1, 2, 5, 6, 9])),
                                    str(R.choice([0, 0, 9_000, 100_000])), str(R.choice([0, 0, 500_000]))], d)] * 2

for i in range(n):
    gz = bytearray(R.choice(compressors)(make_tar()))
    variant = R.choice([0, 0, 1, 2])
    if variant == 1:
        del gz[R.randint(0, len(gz) - 1):]
    elif variant == 2:
        gz[R.randint(0, len(gz) - 1)] ^= 1 << R.randint(0, 7)
    path = os.path.join(out_dir, '%05d.tar.gz' % i)
    open(path, 'wb').write(gz)
    print(path, variant)
