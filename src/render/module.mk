# render: HTML to styled, wrapped lines (its own issue fills this in).
