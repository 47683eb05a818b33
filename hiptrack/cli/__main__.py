from hiptrack.cli import main

main()
