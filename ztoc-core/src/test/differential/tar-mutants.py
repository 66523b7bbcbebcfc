"""Random gzip tars for tar-vs-go.sh: Python's tarfile writes USTAR, GNU and PAX archives of random entries (every
type soci records, long and non-UTF-8 names, big ids and times, PAX records of many kinds), and most are then
mutated at the byte level where readers disagree: numeric fields (octal with spaces and NULs, base-256, bad
digits), type flags (also ones soci rejects), magic and version, names, prefixes and link names, PAX record
syntax, the end of the archive; the header checksum is mostly made valid again so the mutation is read.

Usage: tar-mutants.py OUT_DIR COUNT SEED
"""
import tarfile, io, random, sys, os, zlib
out_dir, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
os.makedirs(out_dir, exist_ok=True)
R = random.Random(seed)

def rname(depth_max=3):
    kinds = [lambda: 'f%d' % R.randint(0, 999), lambda: 'x' * R.randint(1, 120), lambda: 'dir%d/' % R.randint(0, 9),
             lambda: 'üñï%d' % R.randint(0, 9), lambda: './a%d' % R.randint(0, 9), lambda: 'y' * R.randint(90, 300),
             lambda: '.wh..wh..opq', lambda: '.wh.f%d' % R.randint(0, 9), lambda: 'sp ace/%d' % R.randint(0, 9),
             lambda: 'lat\udce9n'] 
    parts = [R.choice(kinds)() for _ in range(R.randint(1, depth_max))]
    return '/'.join(p.strip('/') or 'p' for p in parts) + (R.choice(['', '', '/']))

def build():
    fmt = R.choice([tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT])
    bio = io.BytesIO()
    tf = tarfile.open(fileobj=bio, mode='w', format=fmt, encoding='utf-8', errors='surrogateescape')
    names = []
    for i in range(R.randint(1, 12)):
        ti = tarfile.TarInfo(rname())
        t = R.choice([tarfile.REGTYPE] * 5 + [tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.CHRTYPE,
                                               tarfile.BLKTYPE, tarfile.FIFOTYPE])
        ti.type = t
        ti.mode = R.choice([0o644, 0o755, 0o4755, 0o2711, 0o1777, 0o7777, R.randint(0, 0o7777)])
        ti.uid = R.choice([0, 1000, 65534, R.randint(0, 2**21 - 1), R.randint(2**21, 2**31)])
        ti.gid = R.choice([0, 1000, R.randint(0, 2**21 - 1), R.randint(2**21, 2**31)])
        ti.uname = R.choice(['', 'root', 'u' * R.randint(1, 40), 'ünï'])
        ti.gname = R.choice(['', 'root', 'g' * R.randint(1, 40)])
        ti.mtime = R.choice([0, 1700000000, R.randint(0, 8**11 - 1), 1700000000.5, -R.randint(1, 10**9), 8**11 + R.randint(0, 10**9),
                             1700000000 + R.random()])
        if t in (tarfile.SYMTYPE, tarfile.LNKTYPE):
            ti.linkname = R.choice(names) if names and R.random() < 0.5 else rname()
        if t in (tarfile.CHRTYPE, tarfile.BLKTYPE):
            ti.devmajor = R.choice([0, 1, 8, 255, R.randint(0, 2**21 - 1)])
            ti.devminor = R.choice([0, 3, R.randint(0, 2**21 - 1)])
        data = None
        if t == tarfile.REGTYPE:
            size = R.choice([0, 1, 511, 512, 513, R.randint(0, 5000)])
            data = bytes(R.getrandbits(8) for _ in range(size)) if R.random() < 0.3 else (b'abc\n' * (size // 4 + 1))[:size]
            ti.size = size
        if fmt == tarfile.PAX_FORMAT and R.random() < 0.5:
            ph = {}
            for _ in range(R.randint(1, 4)):
                k = R.choice(['SCHILY.xattr.user.k%d' % R.randint(0, 3), 'SCHILY.xattr.security.capability', 'LIBARCHIVE.xattr.user.z',
                              'comment', 'mtime', 'atime', 'ctime', 'uname', 'gname', 'GNU.sparse.major', 'charset', 'hdrcharset',
                              'SCHILY.xattr.', 'custom.key', 'uid', 'gid'])
                v = R.choice(['', 'v', 'value=with=equals', 'x' * R.randint(1, 300), '1700000000.123456789', '12.5', '-5', 'BINARY',
                              'é', '0x10', '123456789012'])
                ph[k] = v
            ti.pax_headers = ph
        try:
            tf.addfile(ti, io.BytesIO(data) if data is not None else None)
        except (ValueError, OverflowError, UnicodeError):
            pass
        names.append(ti.name)
    tf.close()
    return bytearray(bio.getvalue())

def headers(b):
    # offsets of header blocks per Python's reader (best effort)
    offs = []
    try:
        tf = tarfile.open(fileobj=io.BytesIO(bytes(b)), mode='r', errors='surrogateescape')
        for m in tf.getmembers():
            offs.append(m.offset)
    except Exception:
        pass
    # also extended header blocks: any 512-aligned block whose typeflag is x/L/K
    for o in range(0, len(b) - 512, 512):
        if b[o + 156:o + 157] in (b'x', b'L', b'K', b'g') and b[o + 257:o + 262] == b'ustar':
            offs.append(o)
    return sorted(set(offs))

def checksum(b, o):
    blk = b[o:o + 512]
    s = sum(blk[:148]) + 8 * 32 + sum(blk[156:512])
    b[o + 148:o + 156] = b'%06o\x00 ' % s

NUMERIC = [(100, 8), (108, 8), (116, 8), (124, 12), (136, 12), (329, 8), (337, 8)]
def numeric_variant(width):
    v = R.randint(0, 8 ** (width - 1) - 1)
    c = R.randint(0, 12)
    if c == 0: return (b' ' * R.randint(0, 3) + b'%o' % v).ljust(width, b' ')[:width]
    if c == 1: return (b'%o' % v).rjust(width - 1, b'0')[:width - 1] + b'\x00'
    if c == 2: return b' ' * width
    if c == 3: return b'\x00' * width
    if c == 4: return bytes([0x80]) + R.randint(0, 2 ** (8 * (width - 1)) - 1).to_bytes(width - 1, 'big')
    if c == 5: return bytes([0xff]) * width
    if c == 6: return bytes([0xff]) + bytes(R.getrandbits(8) for _ in range(width - 1))
    if c == 7: return (b'%o' % v).rjust(width - 1, b'0')[:width - 2] + b'8\x00'
    if c == 8: return b'0' * (width - 2) + b'x\x00'
    if c == 9: return b'+' + (b'%o' % v).rjust(width - 2, b'0')[:width - 2] + b'\x00'
    if c == 10: return (b'%o' % v).ljust(width, b'\x00')[:width]
    if c == 11: return b'\x00' + (b'%o' % v).rjust(width - 1, b'0')[:width - 1]
    return (b'%o' % v)[:width].rjust(width, b'0')

def mutate(b):
    hs = headers(b)
    if not hs: return b
    for _ in range(R.randint(1, 3)):
        o = R.choice(hs)
        if o + 512 > len(b):
            continue  # cut off by an earlier mutation
        c = R.randint(0, 9)
        if c <= 2:
            off, w = R.choice(NUMERIC); b[o + off:o + off + w] = numeric_variant(w)
        elif c == 3:
            b[o + 156] = ord(R.choice('0123456789gxLKSVDMAZ\x00'))
        elif c == 4:
            b[o + 257:o + 265] = R.choice([b'ustar\x0000', b'ustar  \x00', b'ustar\x00\x00\x00', b'\x00' * 8, b'ustar \x0000', b'ustar\x00 \x00', b'USTAR\x0000'])
        elif c == 5:
            off, w = R.choice([(0, 100), (345, 155), (157, 100), (265, 32), (297, 32)])
            val = bytes(R.choice(b'ab/\x00.\xe9 ') for _ in range(R.randint(0, w)))
            b[o + off:o + off + w] = val.ljust(w, b'\x00')[:w]
        elif c == 6 and b[o + 156:o + 157] == b'x':
            # mutate PAX data
            d = o + 512
            size = 0
            try: size = int(bytes(b[o + 124:o + 136]).strip(b' \x00') or b'0', 8)
            except ValueError: pass
            size = min(size, len(b) - d)
            if size > 0:
                data = bytearray(b[d:d + size])
                k = R.randint(0, 5)
                p = R.randint(0, size - 1)
                if k == 0: data[p] = ord(R.choice('0123456789 =\n\x00a'))
                elif k == 1: data[p:p] = b''; data[p] = 0x3d
                else: data[p] = R.getrandbits(8)
                b[d:d + size] = data
        elif c == 7:
            # the end: truncate or add garbage or remove zero blocks
            r = R.randint(0, 2)
            if r == 0: del b[R.randint(0, len(b)):]
            elif r == 1: b.extend(bytes(R.getrandbits(8) for _ in range(R.randint(1, 1024))))
            else:
                while len(b) >= 512 and not any(b[-512:]): del b[-512:]
        if R.random() < 0.9 and o + 512 <= len(b):
            checksum(b, o)
    return b

for i in range(n):
    b = build()
    if R.random() < 0.85:
        b = mutate(b)
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)
    gz = comp.compress(bytes(b)) + comp.flush()
    open(os.path.join(out_dir, '%05d.tar.gz' % i), 'wb').write(gz)
