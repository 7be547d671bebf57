package io.candor.interop.tensor;

import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format, versions 1 to 3: C-order arrays of float32, float64, int64, int32, int8,
 * uint8 and bool. Big-endian arrays are converted to little-endian on reading; Fortran-order and object
 * arrays are refused with a message that says how to save them instead.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    public static HostTensor read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CandorException("file " + file + " does not exist");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new CandorException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public static HostTensor read(InputStream in, String name) throws IOException {
        byte[] magic = in.readNBytes(8);
        if (magic.length < 8 || !java.util.Arrays.equals(java.util.Arrays.copyOf(magic, 6), MAGIC)) {
            throw new CandorException(name + " is not a .npy file (no NumPy magic header)");
        }
        int major = magic[6];
        int headerLength;
        if (major == 1) {
            byte[] len = in.readNBytes(2);
            headerLength = len.length < 2 ? -1 : (len[0] & 0xff) | (len[1] & 0xff) << 8;
        } else if (major == 2 || major == 3) {
            byte[] len = in.readNBytes(4);
            headerLength = len.length < 4 ? -1 : ByteBuffer.wrap(len).order(ByteOrder.LITTLE_ENDIAN).getInt();
        } else {
            throw new CandorException(name + ": .npy version " + major + " is not supported (1 to 3 are)");
        }
        byte[] headerBytes = headerLength < 0 ? new byte[0] : in.readNBytes(headerLength);
        if (headerLength < 0 || headerBytes.length < headerLength) {
            throw new CandorException(name + " is truncated inside its header");
        }
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = group(DESCR, header, name, "descr");
        if (group(FORTRAN, header, name, "fortran_order").equals("True")) {
            throw new CandorException(name + " holds a Fortran-order array, which is not supported; save it with"
                    + " np.save(path, np.ascontiguousarray(a))");
        }
        long[] shape = parseShape(group(SHAPE, header, name, "shape"), name);
        boolean bigEndian = descr.startsWith(">");
        DataType type = typeOf(descr, name);
        long bytes = HostTensor.elementCount(shape) * type.bytes();
        byte[] data = in.readNBytes(Math.toIntExact(bytes));
        if (data.length < bytes) {
            throw new CandorException(name + " is truncated: its shape needs " + bytes + " bytes of data, the file has "
                    + data.length);
        }
        if (bigEndian && type.bytes() > 1) {
            swapBytes(data, type.bytes());
        }
        return new HostTensor(type, shape, ByteBuffer.wrap(data));
    }

    /** Writes {@code tensor} atomically as a version 1.0 file, header padded to a multiple of 64 bytes. */
    public static void write(Path file, HostTensor tensor) {
        AtomicFiles.writeBytes(file, toBytes(tensor));
    }

    public static byte[] toBytes(HostTensor tensor) {
        StringBuilder shape = new StringBuilder("(");
        long[] dims = tensor.shape();
        for (int i = 0; i < dims.length; i++) {
            shape.append(i > 0 ? ", " : "").append(dims[i]);
        }
        shape.append(dims.length == 1 ? ",)" : ")");
        String dict = "{'descr': '" + tensor.type().npyDescr() + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        boolean wide = unpadded + 63 > 65535;
        int prefix = MAGIC.length + 2 + (wide ? 4 : 2);
        int total = ((prefix + dict.length() + 1 + 63) / 64) * 64;
        String header = dict + " ".repeat(total - prefix - dict.length() - 1) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream(total + (int) (tensor.size() * tensor.type().bytes()));
        out.writeBytes(MAGIC);
        out.write(wide ? 2 : 1);
        out.write(0);
        int len = header.length();
        out.write(len & 0xff);
        out.write((len >> 8) & 0xff);
        if (wide) {
            out.write((len >> 16) & 0xff);
            out.write((len >> 24) & 0xff);
        }
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        ByteBuffer data = tensor.data();
        byte[] bytes = new byte[data.remaining()];
        data.get(bytes);
        out.writeBytes(bytes);
        return out.toByteArray();
    }

    private static String group(Pattern p, String header, String name, String key) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            throw new CandorException(name + ": the .npy header has no readable '" + key + "': " + header.strip());
        }
        return m.group(1);
    }

    private static long[] parseShape(String text, String name) {
        List<Long> dims = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                continue;
            }
            try {
                dims.add(Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p));
            } catch (NumberFormatException e) {
                throw new CandorException(name + ": cannot read the shape (" + text + ")");
            }
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    private static DataType typeOf(String descr, String name) {
        String kind = descr.length() > 1 && "<>|=".indexOf(descr.charAt(0)) >= 0 ? descr.substring(1) : descr;
        return switch (kind) {
            case "f4" -> DataType.FLOAT32;
            case "f8" -> DataType.FLOAT64;
            case "i8" -> DataType.INT64;
            case "i4" -> DataType.INT32;
            case "i1" -> DataType.INT8;
            case "u1" -> DataType.UINT8;
            case "b1" -> DataType.BOOL;
            case "O" -> throw new CandorException(name + " holds Python objects (dtype object), which are not supported;"
                    + " save a numeric array");
            default -> throw new CandorException(name + ": dtype '" + descr + "' is not supported; supported: float32,"
                    + " float64, int64, int32, int8, uint8, bool");
        };
    }

    private static void swapBytes(byte[] data, int width) {
        for (int i = 0; i < data.length; i += width) {
            for (int a = i, b = i + width - 1; a < b; a++, b--) {
                byte t = data[a];
                data[a] = data[b];
                data[b] = t;
            }
        }
    }
}
