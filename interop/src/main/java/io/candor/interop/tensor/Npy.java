package io.candor.interop.tensor;

import io.candor.interop.CandorException;
import io.candor.interop.io.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * NumPy's {@code .npy} format, versions 1.0, 2.0 and 3.0, for C-order arrays of float32 ({@code <f4}),
 * float64 ({@code <f8}), int64 ({@code <i8}), int32 ({@code <i4}), int8 ({@code |i1}), uint8
 * ({@code |u1}) and bool ({@code |b1}).
 *
 * <p>Reading accepts any byte-order mark ({@code <}, {@code |}, {@code =} meaning this machine's order,
 * or none); big-endian arrays ({@code >f4} and so on) are converted to little-endian. Fortran-order,
 * object and structured arrays are refused with a message that says how to save them instead. Every
 * problem with a file is a {@link CandorException} whose message names the file.
 *
 * <p>Writing produces the bytes {@code np.save} produces: a version 1.0 header (2.0 only past 64 KiB),
 * padded with spaces and a final newline so that the data starts at a multiple of 64 bytes.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** NumPy aligns the start of the data to this many bytes. */
    private static final int ALIGN = 64;
    /** NumPy leaves room after the header for the first axis to grow to this many digits. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    /** Headers of plain arrays are about 100 bytes; anything near this is not a header. */
    private static final int MAX_HEADER_BYTES = 1 << 20;
    /** A HostTensor lives in one Java array. */
    private static final long MAX_DATA_BYTES = Integer.MAX_VALUE - 8;
    private static final String SUPPORTED =
            "float32 (<f4), float64 (<f8), int64 (<i8), int32 (<i4), int8 (|i1), uint8 (|u1), bool (|b1)";

    private Npy() {
    }

    /**
     * Reads a {@code .npy} file.
     *
     * @throws CandorException naming the file when it is missing, not a {@code .npy} file, truncated, or
     *     holds an array this reader does not support
     */
    public static HostTensor read(Path file) {
        if (Files.isDirectory(file)) {
            throw new CandorException(file + " is a folder, not a .npy file");
        }
        if (!Files.exists(file)) {
            throw new CandorException(".npy file " + file + " does not exist");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, file.toString());
        } catch (IOException e) {
            throw new CandorException("cannot read " + file + ": " + AtomicFiles.describe(e), e);
        }
    }

    /**
     * Reads one {@code .npy} array from {@code in}, leaving the stream open and positioned after the data.
     *
     * @param nameForErrors the file name that error messages give, such as the resource's name
     */
    public static HostTensor read(InputStream in, String nameForErrors) {
        try {
            return readArray(in, nameForErrors);
        } catch (IOException e) {
            throw new CandorException("cannot read " + nameForErrors + ": " + AtomicFiles.describe(e), e);
        }
    }

    /** Writes {@code tensor} to {@code file} atomically (see {@link AtomicFiles}), as {@code np.save} would. */
    public static void write(Path file, HostTensor tensor) {
        byte[] header = header(tensor);
        AtomicFiles.write(file, out -> {
            out.write(header);
            writeData(out, tensor.data());
        });
    }

    /** The whole {@code .npy} file for {@code tensor}, in memory. */
    public static byte[] toBytes(HostTensor tensor) {
        byte[] header = header(tensor);
        ByteArrayOutputStream out = new ByteArrayOutputStream(header.length + tensor.data().remaining());
        out.writeBytes(header);
        try {
            writeData(out, tensor.data());
        } catch (IOException e) {
            throw new IllegalStateException("a ByteArrayOutputStream does not fail", e);
        }
        return out.toByteArray();
    }

    // ---------------------------------------------------------------------------------------------
    // Reading

    private static HostTensor readArray(InputStream in, String name) throws IOException {
        byte[] prefix = in.readNBytes(MAGIC.length + 2);
        if (prefix.length < MAGIC.length + 2 || !Arrays.equals(prefix, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new CandorException(name + " is not a .npy file: it does not start with NumPy's magic bytes"
                    + " \\x93NUMPY");
        }
        int major = prefix[6] & 0xff;
        int minor = prefix[7] & 0xff;
        int lengthBytes = switch (major) {
            case 1 -> 2;
            case 2, 3 -> 4;
            default -> throw new CandorException(name + ": .npy format version " + major + "." + minor
                    + " is not supported (1.0, 2.0 and 3.0 are)");
        };
        byte[] lengthField = in.readNBytes(lengthBytes);
        if (lengthField.length < lengthBytes) {
            throw new CandorException(name + " is truncated inside its .npy header");
        }
        long headerLength = 0;
        for (int i = lengthBytes - 1; i >= 0; i--) {
            headerLength = headerLength << 8 | (lengthField[i] & 0xff);
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new CandorException(name + ": cannot parse the .npy header: it claims " + headerLength
                    + " bytes, which no plain array needs");
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw new CandorException(name + " is truncated inside its .npy header");
        }
        // Version 3.0 differs from 2.0 only in allowing UTF-8 in the header.
        String text = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Header header = Header.parse(text, name);

        long bytes = header.dataBytes(name);
        byte[] data = in.readNBytes((int) bytes);
        if (data.length < bytes) {
            throw new CandorException(name + " is truncated: an array of shape " + Arrays.toString(header.shape)
                    + " and type " + header.type + " needs " + bytes + " bytes of data, the file has " + data.length);
        }
        if (header.bigEndian && header.type.bytes() > 1) {
            swapBytes(data, header.type.bytes());
        }
        return new HostTensor(header.type, header.shape, ByteBuffer.wrap(data));
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

    /** What a header says about the array that follows it. */
    private record Header(DataType type, boolean bigEndian, long[] shape) {

        static Header parse(String text, String name) {
            Map<String, Object> dict = new PythonLiteral(text, name).dict();
            Object descr = require(dict, "descr", name, text);
            Object fortran = require(dict, "fortran_order", name, text);
            Object shape = require(dict, "shape", name, text);
            if (descr instanceof List) {
                throw new CandorException(name + " holds a structured (record) array, which is not supported;"
                        + " save each field as its own plain numeric array");
            }
            if (!(descr instanceof String d)) {
                throw unparseable(name, "'descr' is not a string", text);
            }
            if (!(fortran instanceof Boolean f)) {
                throw unparseable(name, "'fortran_order' is not True or False", text);
            }
            long[] dims = dims(shape, name, text);
            DataType type = typeOf(d, name);
            if (f) {
                throw new CandorException(name + ": Fortran-order arrays are not supported; save with"
                        + " np.save(path, np.ascontiguousarray(a))");
            }
            boolean bigEndian = d.startsWith(">") || (d.startsWith("=") && ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN);
            return new Header(type, bigEndian, dims);
        }

        long dataBytes(String name) {
            try {
                long bytes = Math.multiplyExact(HostTensor.elementCount(shape), type.bytes());
                if (bytes <= MAX_DATA_BYTES) {
                    return bytes;
                }
            } catch (ArithmeticException tooLarge) {
                // reported below
            }
            throw new CandorException(name + ": an array of shape " + Arrays.toString(shape) + " and type " + type
                    + " is too large; arrays over 2 GB are not supported");
        }

        private static Object require(Map<String, Object> dict, String key, String name, String text) {
            Object value = dict.get(key);
            if (value == null) {
                throw unparseable(name, "it has no '" + key + "'", text);
            }
            return value;
        }

        private static long[] dims(Object shape, String name, String text) {
            if (!(shape instanceof List<?> items)) {
                throw unparseable(name, "'shape' is not a tuple", text);
            }
            long[] dims = new long[items.size()];
            for (int i = 0; i < dims.length; i++) {
                if (!(items.get(i) instanceof Long d) || d < 0) {
                    throw unparseable(name, "'shape' holds " + items.get(i) + ", not a size", text);
                }
                dims[i] = d;
            }
            return dims;
        }

        private static DataType typeOf(String descr, String name) {
            String kind = !descr.isEmpty() && "<>|=".indexOf(descr.charAt(0)) >= 0 ? descr.substring(1) : descr;
            return switch (kind) {
                case "f4" -> DataType.FLOAT32;
                case "f8" -> DataType.FLOAT64;
                case "i8" -> DataType.INT64;
                case "i4" -> DataType.INT32;
                case "i1" -> DataType.INT8;
                case "u1" -> DataType.UINT8;
                case "b1" -> DataType.BOOL;
                default -> throw kind.startsWith("O")
                        ? new CandorException(name + " holds an object array (dtype '" + descr + "'), which is not"
                                + " supported; save a numeric array, e.g. np.asarray(a, dtype=np.float32)")
                        : new CandorException(name + ": dtype '" + descr + "'" + numpyName(kind)
                                + " is not supported; supported: " + SUPPORTED);
            };
        }

        /** " (float16)" for "f2" and so on, to make the message readable; empty when unknown. */
        private static String numpyName(String kind) {
            if (kind.isEmpty()) {
                return "";
            }
            String size = kind.substring(1);
            String bits = size.matches("\\d{1,3}") ? String.valueOf(Integer.parseInt(size) * 8) : "";
            String what = switch (kind.charAt(0)) {
                case 'f' -> "float" + bits;
                case 'i' -> "int" + bits;
                case 'u' -> "uint" + bits;
                case 'c' -> "complex" + bits;
                case 'b', '?' -> "bool";
                case 'U' -> "unicode string";
                case 'S', 'a' -> "byte string";
                case 'M' -> "datetime64";
                case 'm' -> "timedelta64";
                case 'V' -> "raw bytes";
                default -> "";
            };
            return what.isEmpty() ? "" : " (" + what + ")";
        }
    }

    static CandorException unparseable(String name, String why, String header) {
        String shown = header.strip();
        if (shown.length() > 200) {
            shown = shown.substring(0, 200) + "...";
        }
        return new CandorException(name + ": cannot parse the .npy header (" + why + "): " + shown);
    }

    /**
     * The Python literals an {@code .npy} header is written in: a dict of string keys whose values are
     * strings, True/False/None, integers, and tuples or lists of them. Tolerant of key order, spacing and
     * trailing commas, as NumPy's own reader is.
     */
    private static final class PythonLiteral {
        private final String text;
        private final String name;
        private int pos;

        PythonLiteral(String text, String name) {
            this.text = text;
            this.name = name;
        }

        Map<String, Object> dict() {
            skipSpace();
            expect('{');
            Map<String, Object> dict = new LinkedHashMap<>();
            skipSpace();
            while (peek() != '}') {
                if (!(value() instanceof String key)) {
                    throw fail("a key that is not a string");
                }
                skipSpace();
                expect(':');
                dict.put(key, value());
                separator('}');
            }
            pos++;
            skipSpace();
            if (pos < text.length()) {
                throw fail("text after the closing '}'");
            }
            return dict;
        }

        private Object value() {
            skipSpace();
            char c = peek();
            if (c == '\'' || c == '"') {
                return string(c);
            }
            if (c == '(' || c == '[') {
                return sequence(c == '(' ? ')' : ']');
            }
            if (c == '-' || c == '+' || Character.isDigit(c)) {
                return integer();
            }
            if (Character.isLetter(c)) {
                int start = pos;
                while (pos < text.length() && Character.isLetterOrDigit(text.charAt(pos))) {
                    pos++;
                }
                return switch (text.substring(start, pos)) {
                    case "True" -> Boolean.TRUE;
                    case "False" -> Boolean.FALSE;
                    case "None" -> "None";
                    default -> throw fail("an unknown name '" + text.substring(start, pos) + "'");
                };
            }
            throw fail(c == 0 ? "it ends too early" : "an unexpected '" + c + "'");
        }

        private String string(char quote) {
            StringBuilder s = new StringBuilder();
            pos++;
            while (peek() != quote) {
                if (peek() == 0) {
                    throw fail("a string that is not closed");
                }
                if (peek() == '\\') {
                    pos++;
                    if (peek() == 0) {
                        throw fail("a string that is not closed");
                    }
                }
                s.append(text.charAt(pos++));
            }
            pos++;
            return s.toString();
        }

        private List<Object> sequence(char close) {
            pos++;
            List<Object> items = new ArrayList<>();
            skipSpace();
            while (peek() != close) {
                items.add(value());
                separator(close);
            }
            pos++;
            return items;
        }

        private Long integer() {
            int start = pos;
            if (peek() == '-' || peek() == '+') {
                pos++;
            }
            while (Character.isDigit(peek())) {
                pos++;
            }
            String digits = text.substring(start, pos);
            if (peek() == 'L' || peek() == 'l') {
                pos++; // Python 2 long, written by old NumPy
            }
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw fail("a number that is not a 64-bit integer, '" + digits + "'");
            }
        }

        /** After an item: a comma (perhaps before the closing bracket) or the closing bracket itself. */
        private void separator(char close) {
            skipSpace();
            if (peek() == ',') {
                pos++;
                skipSpace();
            } else if (peek() != close) {
                throw fail(peek() == 0 ? "it ends too early" : "'" + peek() + "' where ',' or '" + close + "' belongs");
            }
        }

        private void expect(char c) {
            if (peek() != c) {
                throw fail(peek() == 0 ? "it ends too early" : "'" + peek() + "' where '" + c + "' belongs");
            }
            pos++;
        }

        private char peek() {
            return pos < text.length() ? text.charAt(pos) : 0;
        }

        private void skipSpace() {
            while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
                pos++;
            }
        }

        private CandorException fail(String why) {
            return unparseable(name, why + " at character " + pos, text);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Writing

    /** Magic, version, header length and the header dict, padded as NumPy pads it. */
    static byte[] header(HostTensor tensor) {
        long[] shape = tensor.shape();
        StringBuilder dict = new StringBuilder("{'descr': '").append(tensor.type().npyDescr())
                .append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            dict.append(i > 0 ? ", " : "").append(shape[i]);
        }
        dict.append(shape.length == 1 ? ",), }" : "), }");
        if (shape.length > 0) {
            dict.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length()));
        }
        byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
        int version = 1;
        int length = paddedLength(text.length, 2);
        if (length > 0xffff) {
            version = 2;
            length = paddedLength(text.length, 4);
        }
        ByteBuffer out = ByteBuffer.allocate(MAGIC.length + 2 + (version == 1 ? 2 : 4) + length)
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) {
            out.putShort((short) length);
        } else {
            out.putInt(length);
        }
        out.put(text);
        while (out.remaining() > 1) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n');
        return out.array();
    }

    /** The header's length with its padding and newline, as NumPy's {@code _wrap_header} computes it. */
    private static int paddedLength(int dictLength, int lengthFieldBytes) {
        int unpadded = dictLength + 1;
        int pad = ALIGN - (MAGIC.length + 2 + lengthFieldBytes + unpadded) % ALIGN;
        return unpadded + pad;
    }

    private static void writeData(OutputStream out, ByteBuffer data) throws IOException {
        byte[] chunk = new byte[(int) Math.min(data.remaining(), 1 << 16)];
        while (data.hasRemaining()) {
            int n = Math.min(chunk.length, data.remaining());
            data.get(chunk, 0, n);
            out.write(chunk, 0, n);
        }
    }
}
