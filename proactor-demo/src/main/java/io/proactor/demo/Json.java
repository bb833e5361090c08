package io.proactor.demo;

import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/**
 * Writes maps, collections, strings, numbers and booleans as JSON (RFC 8259); a NaN or infinite number, which
 * JSON cannot hold, is written as {@code null} ("not measured").
 */
final class Json {

    private Json() {
    }

    static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb, "");
        return sb.append('\n').toString();
    }

    private static void write(Object value, StringBuilder sb, String indent) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof Double d && !Double.isFinite(d)) {
            sb.append("null");
        } else if (value instanceof Number || value instanceof Boolean) {
            sb.append(value);
        } else if (value instanceof Map<?, ?> map) {
            writeAll(map.entrySet().iterator(), sb, indent, '{', '}');
        } else if (value instanceof Collection<?> c) {
            writeAll(c.iterator(), sb, indent, '[', ']');
        } else {
            string(value.toString(), sb);
        }
    }

    private static void writeAll(Iterator<?> items, StringBuilder sb, String indent, char open, char close) {
        sb.append(open);
        String inner = indent + "  ";
        boolean first = true;
        while (items.hasNext()) {
            sb.append(first ? "\n" : ",\n").append(inner);
            first = false;
            Object item = items.next();
            if (item instanceof Map.Entry<?, ?> e) {
                string(String.valueOf(e.getKey()), sb);
                sb.append(": ");
                write(e.getValue(), sb, inner);
            } else {
                write(item, sb, inner);
            }
        }
        if (!first) {
            sb.append('\n').append(indent);
        }
        sb.append(close);
    }

    private static void string(String s, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
