"""The outlets the metadata rules know: canonical names and every spelling of each (a table, no rules)."""
from __future__ import annotations

# (canonical name, regular expression for every spelling of the whole name).  Matched case-insensitively
# against a whole, whitespace-collapsed value; canonical_source() maps any of them to the canonical name.
OUTLETS: tuple[tuple[str, str], ...] = (
    ("Reuters", r"(?:thomson\s+)?reuters?(?:\s+news(?:\s+agency)?|\.com|\s+breakingviews)?"),
    ("AFP", r"afp(?:\s+news(?:\s+agency)?)?|agence\s+france[\s-]+presse|france[\s-]presse"),
    ("AP", r"ap(?:\s+news)?|(?:the\s+)?associated\s+press|apnews\.com"),
    ("i24NEWS", r"i24\s*news(?:\.tv)?(?:\s+english)?"),
    ("BBC", r"bbc(?:\s+news(?:\s+online)?|\.co\.uk|\.com)?"),
    ("Al Jazeera", r"al[\s-]?jazeera(?:\s+english|\.com)?"),
    ("The Guardian", r"(?:the\s+)?guardian|theguardian\.com"),
    ("RT", r"rt(?:\s+news)?|russia\s+today"),
    ("Anadolu", r"anadolu(?:\s+agency)?|aa"),
    ("Daily Sabah", r"daily\s*sabah"),
    ("The National", r"the\s+national(?:\s+news)?|thenationalnews\.com"),
    ("Le Monde", r"le\s+monde"),
    ("Der Spiegel", r"(?:der\s+)?spiegel(?:\s+online)?"),
    ("NHK", r"nhk(?:\s+world)?"),
    ("Xinhua", r"xinhua(?:\s+news\s+agency)?"),
    ("CNN", r"cnn(?:\.com)?"),
    ("NPR", r"npr"),
    ("Bloomberg", r"bloomberg(?:\s+news)?"),
    ("Financial Times", r"(?:the\s+)?financial\s+times|ft"),
    ("The Times of India", r"(?:the\s+)?times\s+of\s+india"),
    ("UPI", r"upi|united\s+press\s+international"),
    ("dpa", r"dpa|deutsche\s+presse[\s-]agentur"),
    ("DW", r"dw|deutsche\s+welle"),
    ("TASS", r"(?:itar[\s-])?tass"),
    ("Sputnik", r"sputnik(?:\s+news)?"),
    ("France 24", r"france\s*24"),
    ("Al Arabiya", r"al[\s-]arabiya"),
    ("Al-Monitor", r"al[\s-]monitor"),
    ("TRT World", r"trt\s+world"),
    ("Hurriyet Daily News", r"h[uü]rriyet\s+daily\s+news"),
    ("Middle East Eye", r"middle\s+east\s+eye"),
    ("The Times of Israel", r"(?:the\s+)?times\s+of\s+israel"),
    ("The Jerusalem Post", r"(?:the\s+)?jerusalem\s+post"),
    ("Haaretz", r"haaretz"),
    ("The New York Times", r"(?:the\s+)?new\s+york\s+times|nytimes\.com"),
    ("The Washington Post", r"(?:the\s+)?washington\s+post"),
    ("The Wall Street Journal", r"(?:the\s+)?wall\s+street\s+journal|wsj"),
    ("SANA", r"sana"),
    ("Rudaw", r"rudaw"),
    ("Kurdistan 24", r"kurdistan\s*24"),
    ("Arab News", r"arab\s+news"),
    ("Asharq Al-Awsat", r"asharq\s+al[\s-]awsat"),
    ("Euronews", r"euronews"),
)

#: Any outlet's spelling, for embedding in a larger pattern (case-insensitive inside only).
OUTLET_ALT = "(?i:" + "|".join(f"(?:{p})" for _, p in OUTLETS) + ")"
