"""The dashboard's pages, one file each, run by st.navigation (app.py): they lay out widgets and call
compliance.jobs; no page reads an uploaded file in the server process or holds a rule."""
