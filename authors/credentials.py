"""Formatting an author's credentials: education entries grouped into readable lines, and the
areas of expertise as a list. Plain functions over values, so the model, the templates and the
structured data share one wording."""


def expertise_areas(text):
    """The non-empty lines of `text`, stripped, in order, without repeats."""
    areas = []
    for line in (text or "").splitlines():
        area = line.strip()
        if area and area not in areas:
            areas.append(area)
    return areas


def join_words(words):
    """'A', 'A and B', 'A, B and C'."""
    words = list(words)
    if len(words) < 2:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def education_lines(entries):
    """One line per field and institution, in the order of their first entry:
    'MA and BA in International Relations, University of Dhaka'. A year, when given, follows
    its degree: 'PhD (2019) in Economics, Kingsbridge University'."""
    groups = {}
    for entry in entries:
        degree = f"{entry.degree} ({entry.year})" if entry.year else entry.degree
        groups.setdefault((entry.field, entry.institution), []).append(degree)
    lines = []
    for (field, institution), degrees in groups.items():
        line = join_words(degrees)
        if field:
            line += f" in {field}"
        lines.append(f"{line}, {institution}")
    return lines
