package io.ltm.topology.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ltm.topology.api.UserFacingException;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns the lines that {@code ltm produce} reads into events with their own time: plain lines (time now, or
 * found by {@code --time-regex} and read with {@code --time-format}) or JSON lines
 * ({@code {"text": ..., "time": ..., "key": ...}}). A mistake in a line is an {@link IllegalArgumentException}
 * whose message the caller prefixes with the line number.
 */
final class EventLines {

    /** One event: its key, text and the time it happened (null: now). */
    record Event(String key, String text, Instant time) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String defaultKey;
    private final Pattern timeRegex;
    private final DateTimeFormatter format;
    private final String pattern;
    private final ZoneId zone;
    private final boolean json;
    /** The time of the last line that had one: lines without a time (a stack trace's) continue that event's time. */
    private Instant previous;

    /** Options as the user typed them; a bad one is a one-line {@link UserFacingException}. */
    EventLines(String defaultKey, String timeRegex, String timeFormat, String timeZone, boolean json) {
        if (json && timeRegex != null) {
            throw new UserFacingException(
                    "--time-regex reads plain lines; with --json-lines the time is the \"time\" field");
        }
        if (timeFormat != null && timeRegex == null && !json) {
            throw new UserFacingException(
                    "--time-format needs --time-regex (which finds the time in a line) or --json-lines");
        }
        this.defaultKey = defaultKey;
        this.json = json;
        try {
            this.timeRegex = timeRegex == null ? null : Pattern.compile(timeRegex);
        } catch (PatternSyntaxException e) {
            throw new UserFacingException("bad --time-regex: " + e.getDescription() + " in '" + timeRegex + "'");
        }
        try {
            this.format = timeFormat == null ? null : DateTimeFormatter.ofPattern(timeFormat);
        } catch (IllegalArgumentException e) {
            throw new UserFacingException("bad --time-format '" + timeFormat + "': " + e.getMessage());
        }
        this.pattern = timeFormat;
        try {
            this.zone = ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw new UserFacingException("bad --time-zone '" + timeZone + "': " + e.getMessage());
        }
    }

    /** The event of one line, or null for a blank line. */
    Event parse(String line) {
        if (line.isBlank()) {
            return null;
        }
        return json ? jsonEvent(line) : plainEvent(line);
    }

    private Event plainEvent(String line) {
        if (timeRegex == null) {
            return new Event(defaultKey, line, null);
        }
        Matcher m = timeRegex.matcher(line);
        if (!m.find()) {
            if (previous == null) {
                throw new IllegalArgumentException("no time matching --time-regex '" + timeRegex.pattern()
                        + "' (lines without one take the time of the line before, and this is the first)");
            }
            return new Event(defaultKey, line, previous);
        }
        previous = time(m.groupCount() > 0 && m.group(1) != null ? m.group(1) : m.group());
        return new Event(defaultKey, line, previous);
    }

    private Event jsonEvent(String line) {
        JsonNode n;
        try {
            n = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode text = n.get("text");
        if (text == null || !text.isTextual() || text.asText().isBlank()) {
            throw new IllegalArgumentException("no \"text\" string");
        }
        JsonNode key = n.get("key");
        if (key != null && !key.isNull() && (!key.isTextual() || key.asText().isEmpty())) {
            throw new IllegalArgumentException("\"key\" must be a non-empty string");
        }
        JsonNode t = n.get("time");
        Instant time;
        if (t == null || t.isNull()) {
            time = null;
        } else if (t.isIntegralNumber()) {
            time = Instant.ofEpochMilli(t.asLong()); // what most JSON loggers write
        } else if (t.isTextual()) {
            time = time(t.asText());
        } else {
            throw new IllegalArgumentException("\"time\" must be a string or epoch milliseconds");
        }
        return new Event(key == null || key.isNull() ? defaultKey : key.asText(), text.asText(), time);
    }

    /** A time as text: with --time-format that pattern, else ISO-8601 (an instant, with an offset, or local). */
    Instant time(String s) {
        try {
            if (format != null) {
                return instant(format.parse(s.strip()));
            }
            String t = s.strip();
            try {
                return Instant.parse(t);
            } catch (DateTimeException notAnInstant) {
                // try the forms with an offset, then local ones
            }
            try {
                return OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeException notOffset) {
                // local
            }
            try {
                return LocalDateTime.parse(t).atZone(zone).toInstant();
            } catch (DateTimeException notLocal) {
                return LocalDate.parse(t).atStartOfDay(zone).toInstant();
            }
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("cannot read the time '" + s + "'"
                    + (pattern == null ? " as ISO-8601 (give --time-format)" : " with --time-format '" + pattern + "'")
                    + ": " + e.getMessage());
        }
    }

    /** A parsed time: its own zone or offset when it has one, else --time-zone; a date alone is its midnight. */
    private Instant instant(TemporalAccessor t) {
        if (t.isSupported(ChronoField.INSTANT_SECONDS)) {
            return Instant.from(t);
        }
        if (t.isSupported(ChronoField.HOUR_OF_DAY)) {
            return ZonedDateTime.of(LocalDateTime.from(t), zone).toInstant();
        }
        return LocalDate.from(t).atStartOfDay(zone).toInstant();
    }
}
